import { type Handlers, PermanentError, type Tx } from '@orderly/platform';
import { applies, type Change, isDecided } from '../domain/status.js';
import type { OrderMetrics } from '../metrics.js';
import { lockOrder, saveStatus } from '../orders.js';

interface Money {
  totalCents?: number;
  currency?: string;
}

/**
 * Moves an order forward on a participant's outcome and tells the customer-facing side when the
 * saga has decided. A change that no longer applies (late or repeated) is ignored.
 */
export async function advance(tx: Tx, orderId: string, change: Change, money: Money, metrics: OrderMetrics): Promise<void> {
  const order = await lockOrder(tx, orderId);
  if (!order) throw new PermanentError(`order ${orderId} does not exist`);
  if (!applies(order.status, change.status)) return;
  await saveStatus(tx, orderId, change.status, { ...money, ...(change.reason ? { reason: change.reason } : {}) });
  const customer = { orderId, customerId: order.customerId, email: order.email };
  if (change.status === 'CONFIRMED') {
    tx.emit('order.confirmed', orderId, {
      ...customer,
      totalCents: order.totalCents ?? money.totalCents ?? 0,
      currency: money.currency ?? order.currency,
    });
  } else if (change.status === 'REJECTED' && change.reason) {
    tx.emit('order.rejected', orderId, { ...customer, reason: change.reason });
  }
  metrics.transitions.inc({ status: change.status });
  if (isDecided(change.status)) {
    metrics.completion.observe({ outcome: change.status.toLowerCase() }, (Date.now() - Date.parse(order.createdAt)) / 1000);
  }
}

export function orderHandlers(metrics: OrderMetrics): Handlers {
  return {
    'inventory.reserved': ({ data }, tx) =>
      advance(tx, data.orderId, { status: 'RESERVED' }, { totalCents: data.totalCents, currency: data.currency }, metrics),
    'inventory.rejected': ({ data }, tx) => advance(tx, data.orderId, { status: 'REJECTED', reason: data.reason }, {}, metrics),
    'payment.completed': ({ data }, tx) =>
      advance(tx, data.orderId, { status: 'CONFIRMED' }, { totalCents: data.amountCents, currency: data.currency }, metrics),
    'payment.failed': ({ data }, tx) => advance(tx, data.orderId, { status: 'REJECTED', reason: 'payment_declined' }, {}, metrics),
  };
}
