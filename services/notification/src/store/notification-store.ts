import { context, propagation } from '@opentelemetry/api';
import type { Pool, Tx } from '@orderly/platform';
import type { Message } from '../domain/messages.js';
import type { Recipient } from './recipient-store.js';

export type Notification = Recipient & Message & { id: string };

/**
 * One row per order and kind (a repeat is ignored): what GET /notifications reads, and the email's
 * outbox — stored 'pending', due now, for the email sender (decision 0028).
 */
export function storeNotification(tx: Tx, n: Notification): void {
  // As an outbox row keeps it: the sender continues the trace of the event that composed the message.
  const traceContext: Record<string, string> = {};
  propagation.inject(context.active(), traceContext);
  tx.queueForCommit(
    `INSERT INTO notifications (id, order_id, customer_id, email, kind, subject, body, channel, trace_context)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'email', $8) ON CONFLICT (order_id, kind) DO NOTHING`,
    [n.id, n.orderId, n.customerId, n.email, n.kind, n.subject, n.body, traceContext],
  );
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
