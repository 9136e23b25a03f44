import { STATUS_CODES } from 'node:http';

/**
 * The problem types of Orderly's APIs (RFC 9457): each has its own URI, a fixed title and the
 * extension members it may carry. A problem with none of these is `about:blank`, whose title is
 * the status phrase and which carries no extension members. The URIs are relative references
 * served by every service at /problems/<name> (open, no token), so a client can look one up.
 */
export const problemTypes = {
  validation: {
    title: 'Invalid request',
    status: 400,
    description: 'A parameter, header or body field failed validation; invalid-params names each one and why.',
  },
  'idempotency-key-reused': {
    title: 'Idempotency key reused',
    status: 409,
    description: 'The Idempotency-Key was used before with a different request body: send a new key for a new request.',
  },
  'state-conflict': {
    title: 'Conflict with the current state',
    status: 409,
    description: "The resource's current state does not allow the request (an order already shipped, a customer that exists).",
  },
} as const;
export type ProblemType = keyof typeof problemTypes;
export const problemTypeUri = (type: ProblemType) => `/problems/${type}`;

/**
 * An error with an HTTP status, rendered as RFC 9457 problem+json. Only 4xx details reach the
 * client; a 5xx says "internal error" and the cause goes to the log. The title given is the
 * error's message; the client sees the type's title, or the status phrase under about:blank.
 */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
    options?: ErrorOptions & { headers?: Record<string, string>; type?: ProblemType },
  ) {
    super(detail ?? title, options);
    this.name = 'HttpProblem';
    this.headers = options?.headers ?? {};
    this.type = options?.type;
  }

  /** Response headers that belong to the problem (WWW-Authenticate on a 401, Allow on a 405). */
  readonly headers: Record<string, string>;
  readonly type: ProblemType | undefined;

  /** The problem+json body: extension members only on a typed problem, details only on a 4xx. */
  body(): Record<string, unknown> {
    const shown = this.status < 500;
    if (!this.type) {
      return {
        type: 'about:blank',
        title: STATUS_CODES[this.status] ?? 'Unknown',
        status: this.status,
        ...(shown && this.detail ? { detail: this.detail } : {}),
      };
    }
    return {
      type: problemTypeUri(this.type),
      title: problemTypes[this.type].title,
      status: this.status,
      ...(shown && this.detail ? { detail: this.detail } : {}),
      ...(shown ? this.extra : {}),
    };
  }
}

export interface InvalidParam {
  name: string;
  reason: string;
}

export function validationProblem(params: InvalidParam[]): HttpProblem {
  const detail = params.map((p) => `${p.name}: ${p.reason}`).join('; ');
  return new HttpProblem(400, 'Invalid request', detail, { 'invalid-params': params }, { type: 'validation' });
}

export const notFound = (what: string) => new HttpProblem(404, 'Not found', `${what} does not exist`);

/** The request conflicts with the resource's state (409, documented as the state-conflict type). */
export const stateConflict = (title: string, detail: string, extra: Record<string, unknown> = {}) =>
  new HttpProblem(409, title, detail, extra, { type: 'state-conflict' });
