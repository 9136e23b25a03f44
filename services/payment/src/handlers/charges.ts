import { randomUUID } from 'node:crypto';
import type { EventData } from '@orderly/events';
import type { Handlers, Tx } from '@orderly/platform';
import { decide } from '../domain/gateway.js';

/** inventory.reserved: charge the order's total once, whatever is redelivered. */
export async function charge(data: EventData<'inventory.reserved'>, tx: Tx, successRate: number): Promise<void> {
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
  if (inserted.rowCount === 0) return; // charged already
  if (decision === 'approved') {
    tx.emit('payment.completed', data.orderId, { orderId: data.orderId, paymentId, amountCents: data.totalCents, currency: data.currency });
  } else {
    tx.emit('payment.failed', data.orderId, { orderId: data.orderId, reason: 'payment_declined', amountCents: data.totalCents });
  }
}

export function paymentHandlers(successRate: number): Handlers {
  return {
    'inventory.reserved': (event, tx) => charge(event.data, tx, successRate),
  };
}
