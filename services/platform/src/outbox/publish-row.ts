import { context, propagation, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import type { Publisher } from '../bus/publisher.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';

/** An outbox row as both publishers of the outbox (dispatcher and relay) see it. */
export interface PendingEvent {
  eventId: string;
  exchange: string;
  routingKey: string;
  type: string;
  payload: string;
  /** W3C trace context of the transaction that wrote the row. */
  traceContext: Record<string, string>;
}

const tracer = trace.getTracer('orderly-outbox');

/**
 * Publishes one outbox row with confirm, inside the trace that wrote it, so the trace crosses the
 * outbox: the producer span's parent is the span that wrote the row.
 */
export async function publishPending(publisher: Publisher, logger: Logger, row: PendingEvent): Promise<void> {
  const parent = propagation.extract(ROOT_CONTEXT, row.traceContext);
  const span = tracer.startSpan(
    `${row.exchange} publish`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'rabbitmq',
        'messaging.operation.type': 'publish',
        'messaging.destination.name': row.exchange,
        'messaging.rabbitmq.destination.routing_key': row.routingKey,
        'messaging.message.id': row.eventId,
        'cloudevents.event_type': row.type,
      },
    },
    parent,
  );
  const headers: Record<string, string> = {};
  propagation.inject(trace.setSpan(parent, span), headers);
  try {
    const routed = await context.with(trace.setSpan(parent, span), () =>
      publisher.publish({
        exchange: row.exchange,
        routingKey: row.routingKey,
        content: Buffer.from(row.payload),
        messageId: row.eventId,
        type: row.type,
        headers,
      }),
    );
    // Nobody subscribes to this type (counted in orderly_messages_unroutable_total): publishing again would not change that.
    if (!routed) logger.debug({ type: row.type, eventId: row.eventId }, 'event had no subscriber');
  } finally {
    span.end();
  }
}

/** Row written → broker confirm, with the trace that wrote the row as exemplar. */
export function observeOutboxLag(metrics: Metrics, row: PendingEvent, writtenAtMs: number): void {
  // traceparent = version-traceid-spanid-flags
  const traceId = row.traceContext.traceparent?.split('-')[1];
  metrics.outboxLag.observe({ value: (Date.now() - writtenAtMs) / 1000, labels: {}, exemplarLabels: traceId ? { trace_id: traceId } : {} });
}
