/** The console's /api/dead-letters as the command calls it: a bearer token, JSON both ways, problems as errors. */

export class ConsoleError extends Error {
  override name = 'ConsoleError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type Call = <T = unknown>(method: string, path: string, body?: unknown) => Promise<{ status: number; body: T }>;

/** Calls the console at baseUrl with the token; a 4xx/5xx or an unreachable console throws a ConsoleError that says why. */
export function consoleClient(baseUrl: string, token: string, timeoutMs = 120_000): Call {
  return async (method, path, body) => {
    let res: Response;
    try {
      res = await fetch(new URL(path, baseUrl), {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new ConsoleError(0, `the console at ${baseUrl} cannot be reached (${(err as Error).message}); is it running?`);
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      throw new ConsoleError(res.status, `the console answered HTTP ${res.status} without JSON`);
    }
    if (!res.ok) {
      const problem = (parsed ?? {}) as { title?: string; detail?: string; 'invalid-params'?: { name: string; reason: string }[] };
      const params = problem['invalid-params']?.map((p) => `\n  ${p.name}: ${p.reason}`).join('') ?? '';
      throw new ConsoleError(
        res.status,
        `HTTP ${res.status} ${problem.title ?? ''}${problem.detail ? `: ${problem.detail}` : ''}${params}`,
      );
    }
    return { status: res.status, body: parsed as never };
  };
}
