// The console's own /api, with the session cookie. Signed out (401): back to the sign-in, then here again.

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

function signIn() {
  const back = `/${location.hash}`;
  location.assign(`/auth/login?returnTo=${encodeURIComponent(back)}`);
}

export async function api(path, { method = 'GET', body } = {}) {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 401) {
    signIn();
    throw new ApiError(401, { title: 'Signed out' });
  }
  const text = await res.text();
  const json = text ? JSON.parse(text) : undefined;
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
}

/** A query string from the set fields of an object. */
export function query(fields) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Live order changes from /api/live; returns a function that closes the stream. */
export function liveOrders(onChange, onState) {
  const source = new EventSource('/api/live');
  source.addEventListener('open', () => onState('live'));
  source.addEventListener('error', () => onState(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting'));
  source.addEventListener('order', (e) => onChange(JSON.parse(e.data)));
  source.addEventListener('problem', (e) => onState(`problem: ${JSON.parse(e.data).error}`));
  source.addEventListener('signed-out', () => {
    source.close();
    signIn();
  });
  return () => source.close();
}
