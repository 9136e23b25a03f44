import { type Envelope, isCommandType } from '@orderly/events';

/** One line of the activity log, as kept. */
export interface Activity {
  id: string;
  type: string;
  kind: 'event' | 'command';
  orderId: string;
  /** The producing service, without the `orderly/` prefix. */
  source: string;
  time: string;
  causationId: string | null;
  traceId: string | null;
  payload: unknown;
}

const invalidTraceId = '0'.repeat(32);

/** A W3C trace id, or null when there is none (absent, malformed, or the all-zero invalid id). */
export function traceIdOrNull(traceId: string | undefined): string | null {
  return traceId && /^[0-9a-f]{32}$/.test(traceId) && traceId !== invalidTraceId ? traceId : null;
}

/** What the log keeps of a message: the order it belongs to is its correlation id (the order id). */
export function activityOf(envelope: Envelope, traceId: string | undefined): Activity {
  return {
    id: envelope.id,
    type: envelope.type,
    kind: isCommandType(envelope.type) ? 'command' : 'event',
    orderId: envelope.correlationid || envelope.subject,
    source: envelope.source.replace(/^orderly\//, ''),
    time: envelope.time,
    causationId: envelope.causationid ?? null,
    traceId: traceIdOrNull(traceId),
    payload: envelope.data,
  };
}
