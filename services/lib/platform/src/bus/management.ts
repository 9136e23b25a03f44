/**
 * A client for the RabbitMQ management HTTP API. The URL may carry credentials
 * (`http://user:pass@host:15672/`); fetch refuses them there, so they become a header.
 */
export function managementClient(managementUrl: string, timeoutMs = 15_000) {
  const base = new URL(managementUrl);
  const auth = `Basic ${Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64')}`;
  base.username = '';
  base.password = '';
  /** The raw response; a wedged broker fails the call after timeoutMs rather than hanging it. */
  const request = (path: string, init: RequestInit = {}) =>
    fetch(new URL(path, base), {
      signal: AbortSignal.timeout(timeoutMs),
      ...init,
      headers: { authorization: auth, 'content-type': 'application/json', ...(init.headers ?? {}) },
    });
  /** The parsed JSON answer (undefined when empty); a non-2xx status throws with the broker's text. */
  const json = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await request(path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    if (!res.ok) throw new Error(`management API ${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return { request, json };
}
