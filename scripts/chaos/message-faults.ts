/**
 * The faults that are messages: deliveries repeated (duplicate), replayed newest first (reorder),
 * and poison no consumer can handle. Each is published as its producer would, with its own user.
 */
import { exchanges, type MessageType, producerOf } from '@orderly/events';
import { headerBomb, publishRawHeadersAt, toolConnection } from '@orderly/platform/testing';
import type amqp from 'amqplib';
import type { FaultContext } from './fault-context.ts';

interface OutboxRow {
  event_id: string;
  exchange: string;
  routing_key: string;
  type: string;
  payload: string;
}

/** Publishes as the producer would: its own broker user, named in user_id (consumers trust nothing else). */
async function publishAs(ctx: FaultContext, service: string, publish: (ch: amqp.ConfirmChannel, userId: string) => void): Promise<void> {
  const url = ctx.chaos.brokerUrlOf(service);
  const conn = await toolConnection(url);
  try {
    const ch = await conn.createConfirmChannel();
    publish(ch, decodeURIComponent(new URL(url).username));
    await ch.waitForConfirms();
  } finally {
    await conn.close().catch(() => undefined);
  }
}

/** Each row in the given order, each from its producer's own user. */
async function republish(ctx: FaultContext, rows: OutboxRow[]): Promise<void> {
  for (const row of rows) {
    await publishAs(ctx, producerOf(row.type as MessageType), (ch, userId) =>
      ch.publish(row.exchange, row.routing_key, Buffer.from(row.payload), {
        persistent: true,
        contentType: 'application/cloudevents+json',
        messageId: row.event_id,
        type: row.type,
        userId,
        headers: { 'x-chaos': 'redelivered' },
      }),
    );
  }
}

/** Messages already delivered, delivered again: what a relay crash between publish and mark-sent causes. */
export async function duplicate(schema: string, count: number, ctx: FaultContext): Promise<string> {
  const { rows } = await ctx.chaos.db.query<OutboxRow>(
    `SELECT event_id, exchange, routing_key, type, payload::text AS payload FROM "${schema}".outbox
      WHERE published_at > now() - interval '2 minutes' AND exchange <> $1 ORDER BY random() LIMIT $2`,
    [exchanges.retry, count],
  );
  await republish(ctx, rows);
  return `${rows.length} messages (${[...new Set(rows.map((r) => r.type))].join(', ')})`;
}

const outboxSchemas = ['order', 'inventory', 'payment', 'shipping', 'notification'];

/** Every message of a few recent orders, delivered again newest first: stale events after fresh ones. */
export async function reorder(orders: number, ctx: FaultContext): Promise<string> {
  const { rows: recent } = await ctx.chaos.db.query<{ id: string }>(
    `SELECT id FROM "order".orders WHERE created_at > now() - interval '2 minutes' ORDER BY random() LIMIT $1`,
    [orders],
  );
  const ids = recent.map((r) => r.id);
  if (ids.length === 0) return 'no recent orders';
  const union = outboxSchemas
    .map(
      (s) =>
        `SELECT event_id, exchange, routing_key, type, payload::text AS payload, created_at FROM "${s}".outbox WHERE payload->>'subject' = ANY($1)`,
    )
    .join(' UNION ALL ');
  const { rows } = await ctx.chaos.db.query<OutboxRow>(`SELECT * FROM (${union}) m ORDER BY created_at DESC`, [ids]);
  await republish(ctx, rows);
  return `${rows.length} messages of ${ids.length} orders, newest first`;
}

const poisonReasons: Record<string, RegExp> = {
  'not-json': /SyntaxError|JSON/,
  'unknown-type': /unknown message type|ZodError|invalid/i,
  'invalid-data': /ZodError|invalid|expected/i,
  // Headers amqplib could not decode closed the consumer's connection on every delivery;
  // a body of any size was parsed, parked and stored whole.
  'header-bomb': /headers not decodable: tables nested deeper than/,
  'too-large': /too large: \d+ bytes/,
};

/** A message no consumer can handle, straight into a consuming queue: it must end in that queue's DLQ with its reason. */
export async function poison(queue: string, variant: string, ctx: FaultContext): Promise<string> {
  const messageId = ctx.random.uuid();
  const orderId = ctx.random.uuid();
  const envelope = {
    specversion: '1.0',
    id: messageId,
    source: 'orderly/chaos',
    subject: orderId,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    correlationid: orderId,
  };
  const content =
    variant === 'not-json'
      ? `{"this is": not json ${messageId}`
      : variant === 'unknown-type'
        ? JSON.stringify({ ...envelope, type: 'chaos.unheard-of', data: { orderId } })
        : JSON.stringify({ ...envelope, type: 'order.placed', data: { orderId, items: 'not a list' } });
  const type = variant === 'unknown-type' ? 'chaos.unheard-of' : 'order.placed';
  // With the right credentials (the order service's, which produces order.placed): it is parked
  // for what it says, not for who sent it. The default exchange routes by queue name: exactly
  // this one consumer gets it.
  if (variant === 'header-bomb') {
    // A valid event whose headers table is nested 5,000 deep (35 kB): amqplib cannot even write it.
    const event = JSON.stringify({ ...envelope, type, data: { orderId } });
    await publishRawHeadersAt(ctx.chaos.brokerUrlOf('order'), '', queue, Buffer.from(event), headerBomb(5_000), {
      asUser: true,
      type,
      messageId,
    });
  } else {
    // One byte over the default MESSAGE_MAX_BYTES (1 MiB), padding after a valid event.
    const body =
      variant === 'too-large'
        ? Buffer.from(JSON.stringify({ ...envelope, type, data: { orderId } }).padEnd(1_048_577))
        : Buffer.from(content);
    await publishAs(ctx, 'order', (ch, userId) =>
      ch.publish('', queue, body, { persistent: true, messageId, type, userId, headers: { 'x-chaos': 'poison' } }),
    );
  }
  ctx.poison.push({ messageId, queue, variant, reason: poisonReasons[variant]! });
  return `message ${messageId}`;
}
