/**
 * An error with an HTTP status, rendered as RFC 9457 problem+json. Only 4xx details reach the
 * client; a 5xx says "internal error" and the cause goes to the log.
 */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
    options?: ErrorOptions & { headers?: Record<string, string> },
  ) {
    super(detail ?? title, options);
    this.name = 'HttpProblem';
    this.headers = options?.headers ?? {};
  }

  /** Response headers that belong to the problem (WWW-Authenticate on a 401). */
  readonly headers: Record<string, string>;
}

export interface InvalidParam {
  name: string;
  reason: string;
}

export function validationProblem(params: InvalidParam[]): HttpProblem {
  const detail = params.map((p) => `${p.name}: ${p.reason}`).join('; ');
  return new HttpProblem(400, 'Invalid request', detail, { 'invalid-params': params });
}

export const notFound = (what: string) => new HttpProblem(404, 'Not found', `${what} does not exist`);
