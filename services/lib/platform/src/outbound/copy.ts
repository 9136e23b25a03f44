import { forwardableHeaders } from '@orderly/events';
import type { ConsumeMessage } from 'amqplib';
import { conversationIdOf } from '../telemetry/messaging-spans.js';
import type { Publisher } from './publisher.js';

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * Publishes a copy of a delivered message (its body, id and type, its forwardable headers with
 * `extra` on top) with a confirm, to a retry or dead-letter path: the consumer's retries and parks
 * and the stream reader's diversions go out the same way. Rejects when the broker refuses it or no
 * queue is bound for it.
 */
export async function publishCopy(
  publisher: Publisher,
  msg: ConsumeMessage,
  to: { exchange: string; routingKey: string; expiration?: number },
  extra: Record<string, unknown>,
  drop: readonly string[] = [],
): Promise<void> {
  const headers = { ...forwardableHeaders(msg.properties.headers), ...extra };
  for (const name of drop) delete headers[name];
  const routed = await publisher.publish({
    exchange: to.exchange,
    routingKey: to.routingKey,
    content: msg.content,
    messageId: text(msg.properties.messageId)?.slice(0, 200) ?? '',
    type: text(msg.properties.type)?.slice(0, 200) ?? 'unknown',
    // A copy stays in its conversation (the order): the delivery's correlation id goes with it.
    correlationId: conversationIdOf(msg.properties),
    headers,
    ...(to.expiration === undefined ? {} : { expiration: to.expiration }),
  });
  if (!routed) throw new Error(`${to.exchange} has no queue bound for ${to.routingKey}`);
}
