/**
 * What the system says happened, read after it has settled: from the services' own APIs (orders,
 * customer histories, stock) and their own databases (payments, notifications, the activity log,
 * outboxes, inboxes, sagas), and what each dead-letter queue holds.
 */
import { consumerQueues, deadLetterQueue, exchanges } from '@orderly/events';
import { toolConnection } from '@orderly/platform/testing';
import type { OrderView, Stock } from '@orderly/testkit';
import type { ChaosStack } from './chaos-stack.ts';

export const schemas = ['order', 'inventory', 'payment', 'shipping', 'notification', 'customer', 'audit'] as const;

export interface Facts {
  /** Every order of every customer the load used, from GET /orders?customerId= (the order service's API). */
  orders: Map<string, OrderView & { customerId: string; items: { sku: string; qty: number }[] }>;
  /** GET /customers/:id/orders, per customer. */
  histories: Map<string, { orderId: string; status: string }[]>;
  products: Map<string, Stock>;
  payments: Map<string, { status: string; amount_cents: number }>;
  /** payment.completed / payment.refunded events per order, from the payment service's outbox. */
  paymentEvents: Map<string, { completed: number; refunded: number }>;
  /** Stored notifications, which are also their emails' outbox: order → kind → the rows' email statuses. */
  notifications: Map<string, Map<string, string[]>>;
  /** The order.* events the order service emitted, per order (a skipped status emits none). */
  orderEvents: Map<string, Set<string>>;
  /** Every event and command any outbox holds, by event id → order id. */
  published: Map<string, string>;
  /** The activity log: event id → order id. */
  activity: Map<string, string>;
  unpublished: Record<string, number>;
  dlq: { queue: string; messageId: string; reason: string; type: string }[];
  sagasRunning: string[];
  shipments: Map<string, string>;
}

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

export async function gatherFacts(chaos: ChaosStack, customers: string[], skus: string[]): Promise<Facts> {
  const { api, db } = chaos;
  const orders: Facts['orders'] = new Map();
  const histories: Facts['histories'] = new Map();
  await inBatches(customers, 8, async (c) => {
    const res = await api.http('order', `/orders?customerId=${encodeURIComponent(c)}&limit=500`);
    if (res.status !== 200) throw new Error(`GET /orders?customerId=${c}: ${res.status}`);
    for (const o of res.body as Facts['orders'] extends Map<string, infer V> ? V[] : never) orders.set(o.orderId, o);
    const h = await api.http('customer', `/customers/${encodeURIComponent(c)}/orders?limit=500`);
    histories.set(c, h.status === 200 ? (h.body as { orderId: string; status: string }[]) : []);
  });
  const products = new Map<string, Stock>();
  for (const sku of skus) products.set(sku, await api.product(sku));

  const payments = new Map(
    (await db.query('SELECT order_id::text, status, amount_cents FROM payment.payments')).rows.map((r) => [r.order_id, r]),
  );
  const paymentEvents: Facts['paymentEvents'] = new Map();
  for (const r of (
    await db.query(
      `SELECT payload->>'subject' AS order_id, count(*) FILTER (WHERE type = 'payment.completed')::int AS completed,
              count(*) FILTER (WHERE type = 'payment.refunded')::int AS refunded
         FROM payment.outbox WHERE type IN ('payment.completed', 'payment.refunded') GROUP BY 1`,
    )
  ).rows) {
    paymentEvents.set(r.order_id, { completed: r.completed, refunded: r.refunded });
  }
  const notifications: Facts['notifications'] = new Map();
  for (const r of (await db.query('SELECT order_id::text, kind, status FROM notification.notifications')).rows) {
    if (!notifications.has(r.order_id)) notifications.set(r.order_id, new Map());
    const byKind = notifications.get(r.order_id)!;
    byKind.set(r.kind, [...(byKind.get(r.kind) ?? []), r.status]);
  }

  const published = new Map<string, string>();
  const unpublished: Record<string, number> = {};
  for (const s of schemas) {
    const { rows } = await db.query(
      `SELECT event_id::text, payload->>'subject' AS order_id, published_at IS NULL AS pending FROM "${s}".outbox WHERE exchange = ANY($1)`,
      [[exchanges.events, exchanges.commands]],
    );
    for (const r of rows) published.set(r.event_id, r.order_id);
    unpublished[s] = (await db.query(`SELECT count(*)::int AS n FROM "${s}".outbox WHERE published_at IS NULL`)).rows[0].n;
  }
  const orderEvents: Facts['orderEvents'] = new Map();
  for (const r of (await db.query(`SELECT DISTINCT payload->>'subject' AS order_id, type FROM "order".outbox WHERE type LIKE 'order.%'`))
    .rows) {
    if (!orderEvents.has(r.order_id)) orderEvents.set(r.order_id, new Set());
    orderEvents.get(r.order_id)!.add(r.type);
  }
  const activity = new Map(
    (await db.query('SELECT event_id::text, order_id FROM audit.activity')).rows.map((r) => [r.event_id as string, r.order_id as string]),
  );
  // Whatever the mode now: a mode switch may have left orchestrated sagas behind.
  const sagasRunning = (await db.query(`SELECT order_id::text FROM "order".sagas WHERE state = 'running'`)).rows.map(
    (r) => r.order_id as string,
  );
  const shipments = new Map(
    (await db.query('SELECT order_id::text, status FROM shipping.shipments')).rows.map((r) => [r.order_id as string, r.status as string]),
  );

  return {
    orders,
    histories,
    products,
    payments,
    paymentEvents,
    notifications,
    orderEvents,
    published,
    activity,
    unpublished,
    dlq: await takeDeadLetters(chaos),
    sagasRunning,
    shipments,
  };
}

/** Takes every message out of every dead-letter queue, with the reason its consumer gave. */
async function takeDeadLetters(chaos: ChaosStack): Promise<Facts['dlq']> {
  const conn = await toolConnection(chaos.rabbit.amqpUrl);
  const out: Facts['dlq'] = [];
  try {
    const ch = await conn.createChannel();
    for (const { queue } of consumerQueues(chaos.mode)) {
      for (;;) {
        const msg = await ch.get(deadLetterQueue(queue), { noAck: true });
        if (!msg) break;
        const headers = msg.properties.headers ?? {};
        out.push({
          queue,
          messageId: String(msg.properties.messageId ?? ''),
          type: String(msg.properties.type ?? ''),
          reason: String(headers['x-orderly-error'] ?? (headers['x-death'] ? `broker: ${JSON.stringify(headers['x-death'])}` : '')),
        });
      }
    }
  } finally {
    await conn.close().catch(() => undefined);
  }
  return out;
}
