import { randomUUID } from 'node:crypto';
import type { Tx } from '@orderly/platform';
import { insertPayment, refundCaptured } from '../store/payment-store.js';

/**
 * Money taken for a cancelled order goes back. If no charge was made yet, the order is voided so
 * that a charge arriving later takes nothing.
 */
export async function refundPayment(orderId: string, tx: Tx): Promise<void> {
  if (await insertPayment(tx, { orderId, paymentId: randomUUID(), status: 'voided', amountCents: 0, currency: 'EUR' })) return;
  const refunded = await refundCaptured(tx, orderId);
  if (!refunded) return;
  tx.emit('payment.refunded', orderId, { orderId, ...refunded });
}
