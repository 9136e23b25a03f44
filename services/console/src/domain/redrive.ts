import { forwardableHeaders, orderlyHeaders } from '@orderly/events';

/** Headers of the last failure, which a fresh start must not carry (a kept waiting-since would park it again at once). */
const lastFailure: string[] = [orderlyHeaders.error, orderlyHeaders.attempts, orderlyHeaders.failedAt, orderlyHeaders.waitingSince];

/**
 * The headers a redriven copy goes back with (decision 0011): the original's (scalars only, as any
 * forwarded copy; the trace context included, so the redrive continues the message's trace), the
 * attempt count reset to 1, the redrive counted, and the publisher the park recorded — which the
 * consumer believes only because the console's broker user sent the copy through the queue's
 * retry exchange.
 */
export function redriveHeaders(recorded: Record<string, unknown>, publishedBy: string | null, redrives: number): Record<string, unknown> {
  const headers = forwardableHeaders(recorded);
  for (const name of lastFailure) delete headers[name];
  return {
    ...headers,
    [orderlyHeaders.attempt]: 1,
    [orderlyHeaders.redrives]: redrives,
    [orderlyHeaders.publishedBy]: publishedBy ?? '',
  };
}

/** A parked body as a page shows it: its text when it is UTF-8, else base64. */
export function bodyText(body: Buffer): { body: string; encoding: 'utf8' | 'base64' } {
  const text = body.toString('utf8');
  return Buffer.from(text, 'utf8').equals(body) ? { body: text, encoding: 'utf8' } : { body: body.toString('base64'), encoding: 'base64' };
}
