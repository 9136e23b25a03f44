import { context, propagation } from '@opentelemetry/api';
import { type Pool, RowBatch, type Tx } from '@orderly/platform';
import type { Message } from '../domain/messages.js';
import type { Recipient } from './recipient-store.js';

export type Notification = Recipient & Message & { id: string };

type NotificationRow = [
  id: string,
  orderId: string,
  customerId: string,
  email: string,
  kind: string,
  subject: string,
  body: string,
  traceContext: string,
];

/** A batch's notifications in one statement; a repeat of an order's kind (even in the batch) is left out. */
const notificationRows = new RowBatch<NotificationRow>({
  types: ['uuid', 'uuid', 'text', 'text', 'text', 'text', 'text', 'text'],
  sql: (rows) => `INSERT INTO notifications (id, order_id, customer_id, email, kind, subject, body, channel, trace_context)
     SELECT id, order_id, customer_id, email, kind, subject, body, 'email', trace_context::jsonb
       FROM ${rows} AS n(id, order_id, customer_id, email, kind, subject, body, trace_context)
     ON CONFLICT (order_id, kind) DO NOTHING`,
});

/**
 * One row per order and kind (a repeat is ignored): what GET /notifications reads, and the email's
 * outbox — stored 'pending', due now, for the email sender (decision 0028).
 */
export function storeNotification(tx: Tx, n: Notification): void {
  // As an outbox row keeps it: the sender continues the trace of the event that composed the message.
  const traceContext: Record<string, string> = {};
  propagation.inject(context.active(), traceContext);
  tx.queueRowForCommit(notificationRows, [n.id, n.orderId, n.customerId, n.email, n.kind, n.subject, n.body, JSON.stringify(traceContext)]);
}

/** The newest 200 notifications of an order, a customer, or both. */
export async function notificationsOf(
  pool: Pool,
  filter: { orderId?: string | undefined; customerId?: string | undefined },
): Promise<unknown[]> {
  const { rows } = await pool.query(
    `SELECT id, order_id AS "orderId", customer_id AS "customerId", kind, subject, body, created_at AS "createdAt"
       FROM notifications WHERE ($1::uuid IS NULL OR order_id = $1) AND ($2::text IS NULL OR customer_id = $2)
      ORDER BY created_at DESC LIMIT 200`,
    [filter.orderId ?? null, filter.customerId ?? null],
  );
  return rows;
}
