import { randomUUID } from 'node:crypto';
import type { EventData } from '@orderly/events';
import type { Handlers, Tx } from '@orderly/platform';
import { decide } from '../domain/gateway.js';

/** inventory.reserved (choreography) or payment.charge (orchestration): charge once per order. */
export async function charge(data: EventData<'payment.charge'>, tx: Tx, successRate: number): Promise<void> {
  const decision = decide(data.orderId, data.paymentMethod, successRate);
  const paymentId = randomUUID();
  const inserted = await tx.query(
    `INSERT INTO payments (order_id, payment_id, status, amount_cents, currency, method)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (order_id) DO NOTHING`,
    [
      data.orderId,
      paymentId,
      decision === 'approved' ? 'captured' : 'declined',
      data.totalCents,
      data.currency,
      data.paymentMethod ?? null,
    ],
  );
  if (inserted.rowCount === 0) return; // charged already, or voided by a cancellation
  if (decision === 'approved') {
    tx.emit('payment.completed', data.orderId, { orderId: data.orderId, paymentId, amountCents: data.totalCents, currency: data.currency });
  } else {
    tx.emit('payment.failed', data.orderId, { orderId: data.orderId, reason: 'payment_declined', amountCents: data.totalCents });
  }
}

/**
 * order.cancelled or payment.refund: money taken for a cancelled order goes back. If no charge
 * was made yet, the order is voided so that a charge arriving later takes nothing.
 */
export async function refund(orderId: string, tx: Tx): Promise<void> {
  const voided = await tx.query(
    `INSERT INTO payments (order_id, payment_id, status, amount_cents, currency) VALUES ($1, $2, 'voided', 0, 'EUR')
     ON CONFLICT (order_id) DO NOTHING`,
    [orderId, randomUUID()],
  );
  if (voided.rowCount === 1) return;
  const { rows } = await tx.query<{ payment_id: string; amount_cents: number; currency: string }>(
    `UPDATE payments SET status = 'refunded', updated_at = now() WHERE order_id = $1 AND status = 'captured'
     RETURNING payment_id, amount_cents, currency`,
    [orderId],
  );
  const refunded = rows[0];
  if (!refunded) return; // declined, voided or refunded already
  tx.emit('payment.refunded', orderId, {
    orderId,
    paymentId: refunded.payment_id,
    amountCents: refunded.amount_cents,
    currency: refunded.currency,
  });
}

export function paymentHandlers(successRate: number): Handlers {
  return {
    'inventory.reserved': ({ data }, tx) => charge(data, tx, successRate),
    'payment.charge': ({ data }, tx) => charge(data, tx, successRate),
    'order.cancelled': ({ data }, tx) => refund(data.orderId, tx),
    'payment.refund': ({ data }, tx) => refund(data.orderId, tx),
  };
}
