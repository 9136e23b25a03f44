/**
 * The AMQP headers Orderly itself sets on a message it moves: the consumer on a retry or a parked
 * copy, the console on a redriven one (docs/architecture.md#broker-topology, decision 0011).
 */
export const orderlyHeaders = {
  /** The attempt a retried or redriven copy is on: believed only from the queue's own retry path. */
  attempt: 'x-orderly-attempt',
  /** Why the last attempt failed. */
  error: 'x-orderly-error',
  /** The broker user that published the original: believed only where the attempt is. */
  publishedBy: 'x-orderly-published-by',
  /** When a message first waited for one it needs (NotYetError): the wait is bounded from there. */
  waitingSince: 'x-orderly-waiting-since',
  /** On a parked copy: the attempts it had. */
  attempts: 'x-orderly-attempts',
  /** On a parked copy: when it was parked. */
  failedAt: 'x-orderly-failed-at',
  /** On a redriven copy: how often an operator sent it back from its DLQ. */
  redrives: 'x-orderly-redrives',
  /**
   * On a parked copy: the publisher a redriven copy claimed and its consumer refused to believe
   * (decision 0024). Set only by the consumer that parks it, never forwarded.
   */
  refusedRedrive: 'x-orderly-refused-redrive',
  /** Set by the receiving client in place of a headers table it could not decode (a header bomb): the
   * message is parked with this reason (platform bus/frame-guard.ts). Anyone can set it on their own
   * message, which only gets that message parked. */
  undecodable: 'x-orderly-undecodable',
} as const;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);

/**
 * The headers a forwarded copy (retry, park or redrive) keeps from the delivery: scalars only,
 * strings cut to 4 KiB, at most 64 of them. A header from outside must never make the copy
 * unpublishable: amqplib takes a table with a `!` key for its typed-value notation, cannot write
 * void or an integer beyond 64 bits, and refuses a table over 64 KiB — each would throw, return the
 * message to the queue and loop until the delivery limit parks it without a reason. The broker's
 * own dead-letter headers (`x-death`, `x-first-death-*`, `x-last-death-*`, `x-delivery-count`) are
 * dropped: a publisher can set them, and RabbitMQ 3.10's dead-letter worker crashes on a malformed
 * `x-death` when the copy is dead-lettered from the retry queue — after enough crashes the broker
 * stops dead-lettering for every quorum queue (both found by the hostile-input suite). A refused
 * redrive's mark is dropped too: only the consumer that refuses a copy sets it on the parked copy.
 */
export function forwardableHeaders(headers: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!isRecord(headers)) return out;
  for (const [key, value] of Object.entries(headers).slice(0, 64)) {
    if (/^x-(death|first-death-|last-death-|delivery-count|orderly-refused-redrive$)/i.test(key)) continue;
    if (typeof value === 'string') out[key] = value.slice(0, 4096);
    else if (typeof value === 'boolean') out[key] = value;
    else if (typeof value === 'number' && Number.isSafeInteger(value)) out[key] = value;
    else if (typeof value === 'number' && Number.isFinite(value)) out[key] = { '!': 'double', value };
  }
  return out;
}
