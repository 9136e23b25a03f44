import { lifecycle, type Status } from '../domain/lifecycle.js';
import { lockOrder, type Order } from '../store/order-store.js';
import { advanceOrder } from './advance-order.js';
import type { OrderDeps } from './order-deps.js';

export type CancelOrderResult = { outcome: 'cancelled'; order: Order } | { outcome: 'not_found' } | { outcome: 'too_late'; status: Status };

/**
 * POST /orders/:id/cancel: the customer may cancel until the parcel has left; cancelling twice is
 * harmless. The saga undoes whatever already ran (stock, payment, shipment). With `customerId`
 * (a customer cancelling), another customer's order is not found. The order row is read once:
 * locked, then updated, and the answer is what the update returned.
 */
export async function cancelOrder(
  { db, metrics, saga }: OrderDeps,
  orderId: string,
  { customerId }: { customerId?: string } = {},
): Promise<CancelOrderResult> {
  return db.transaction(async (tx): Promise<CancelOrderResult> => {
    const order = await lockOrder(tx, orderId);
    if (!order || (customerId !== undefined && order.customerId !== customerId)) return { outcome: 'not_found' };
    const cancelled = await advanceOrder(tx, order, 'customer_request', {}, metrics);
    if (cancelled) {
      await saga.cancelled(tx, orderId);
      return { outcome: 'cancelled', order: cancelled };
    }
    // Cancelled already: the same answer again; any other status the cancel does not apply in is too late.
    return order.status === lifecycle.customer_request.to ? { outcome: 'cancelled', order } : { outcome: 'too_late', status: order.status };
  });
}
