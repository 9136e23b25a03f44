import { observeLatency, PermanentError, type Tx } from '@orderly/platform';
import { type Change, isDecided, judge } from '../domain/status.js';
import type { OrderMetrics } from '../metrics.js';
import { lockOrder, type Order, saveStatus } from '../store/order-store.js';

/** What a participant's outcome tells the order beyond its status. */
export interface Facts {
  totalCents?: number;
  currency?: string;
  carrier?: string;
  trackingNumber?: string;
}

/** A change that depends on a step the order has not taken yet: retried (the step's event may be on its way), then parked. */
export class StepMissingError extends Error {
  override name = 'StepMissingError';
}

/**
 * Moves an order along its lifecycle, in the caller's transaction, and tells everyone downstream
 * what the customer would see. A change that no longer applies (late, repeated or overtaken) is
 * ignored. Returns whether it applied. `locked`: the order as the caller read it FOR UPDATE in this
 * transaction, so it is not locked again.
 */
export async function advanceOrder(
  tx: Tx,
  orderId: string,
  change: Change,
  facts: Facts,
  metrics: OrderMetrics,
  locked?: { order: Order | undefined },
): Promise<boolean> {
  // A caller that has locked the row already passes what it read: the row is locked once per message.
  const order = locked ? locked.order : await lockOrder(tx, orderId);
  if (!order) throw new PermanentError(`order ${orderId} does not exist`);
  const verdict = judge(order.status, change.status);
  if (verdict === 'early') throw new StepMissingError(`order ${orderId} is ${order.status}: ${change.status} cannot skip a step`);
  if (verdict === 'stale') return false;
  await saveStatus(tx, orderId, change.status, {
    ...(change.reason ? { reason: change.reason } : {}),
    ...(facts.totalCents === undefined ? {} : { totalCents: facts.totalCents }),
    ...(facts.currency ? { currency: facts.currency } : {}),
  });
  const customer = { orderId, customerId: order.customerId, email: order.email };
  switch (change.status) {
    case 'CONFIRMED':
      tx.emit('order.confirmed', orderId, {
        ...customer,
        totalCents: order.totalCents ?? facts.totalCents ?? 0,
        currency: facts.currency ?? order.currency,
      });
      break;
    case 'REJECTED':
      if (change.reason === 'out_of_stock' || change.reason === 'unknown_product' || change.reason === 'payment_declined') {
        tx.emit('order.rejected', orderId, { ...customer, reason: change.reason });
      }
      break;
    case 'SHIPPED':
      tx.emit('order.shipped', orderId, { ...customer, carrier: facts.carrier ?? '', trackingNumber: facts.trackingNumber ?? '' });
      break;
    case 'DELIVERED':
      tx.emit('order.delivered', orderId, customer);
      break;
    case 'CANCELLED':
      tx.emit('order.cancelled', orderId, { ...customer, reason: change.reason === 'saga_timeout' ? 'saga_timeout' : 'customer_request' });
      break;
    default:
      break;
  }
  // Counted once committed: a transaction that rolls back and is retried must not count twice.
  tx.afterCommit(() => {
    metrics.transitions.inc({ status: change.status });
    if (isDecided(change.status) && !isDecided(order.status)) {
      observeLatency(metrics.completion, { outcome: change.status.toLowerCase() }, (Date.now() - Date.parse(order.createdAt)) / 1000);
    }
  });
  return true;
}
