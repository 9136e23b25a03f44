import { propagation, ROOT_CONTEXT, type Span, SpanKind, trace } from '@opentelemetry/api';
import { isMessageType } from '@orderly/events';
import type { ConsumeMessage } from 'amqplib';
import { conversationIdOf, processSpan } from '../telemetry/messaging-spans.js';

const tracer = trace.getTracer('orderly-stream');

/** A message's type as a metric label: from the catalog, or "other" (a label never takes what a sender wrote). */
export const typeLabel = (type: unknown) => (typeof type === 'string' && isMessageType(type) ? type : 'other');

/** The CONSUMER span of one stream message, named and attributed by the RabbitMQ conventions as the queue consumer's are. */
export function readerSpan(msg: ConsumeMessage, stream: string, reader: string): Span {
  const { name, attributes } = processSpan({
    exchange: msg.fields.exchange,
    routingKey: msg.fields.routingKey,
    queue: stream,
    deliveryTag: msg.fields.deliveryTag,
    messageId: String(msg.properties.messageId ?? ''),
    type: typeLabel(msg.properties.type),
    conversationId: conversationIdOf(msg.properties),
  });
  return tracer.startSpan(
    name,
    { kind: SpanKind.CONSUMER, attributes: { ...attributes, 'orderly.reader': reader } },
    propagation.extract(ROOT_CONTEXT, msg.properties.headers ?? {}),
  );
}
