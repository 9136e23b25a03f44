import { randomUUID } from 'node:crypto';
import type { EventData } from '@orderly/events';
import type { Tx } from '@orderly/platform';
import { decide, type GatewaySettings } from '../domain/gateway.js';
import { insertPayment } from '../store/payment-store.js';

/** Charges an order once: the gateway decides, the payment row makes a second charge do nothing. */
export async function chargePayment(data: EventData<'payment.charge'>, tx: Tx, gateway: GatewaySettings): Promise<void> {
  const decision = decide(data.orderId, data.paymentMethod, gateway);
  const paymentId = randomUUID();
  const inserted = await insertPayment(tx, {
    orderId: data.orderId,
    paymentId,
    status: decision === 'approved' ? 'captured' : 'declined',
    amountCents: data.totalCents,
    currency: data.currency,
    method: data.paymentMethod,
  });
  if (!inserted) return; // charged already, or voided by a cancellation
  if (decision === 'approved') {
    tx.emit('payment.completed', data.orderId, { orderId: data.orderId, paymentId, amountCents: data.totalCents, currency: data.currency });
  } else {
    tx.emit('payment.failed', data.orderId, { orderId: data.orderId, reason: 'payment_declined', amountCents: data.totalCents });
  }
}
