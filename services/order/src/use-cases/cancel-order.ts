import { canCancel, type Status } from '../domain/status.js';
import { findOrder, lockOrder, type Order } from '../store/order-store.js';
import { advanceOrder } from './advance-order.js';
import type { OrderDeps } from './order-deps.js';

export type CancelOrderResult = { outcome: 'cancelled'; order: Order } | { outcome: 'not_found' } | { outcome: 'too_late'; status: Status };

/**
 * POST /orders/:id/cancel: the customer may cancel until the parcel has left; cancelling twice is
 * harmless. The saga undoes whatever already ran (stock, payment, shipment). With `customerId`
 * (a customer cancelling), another customer's order is not found.
 */
export async function cancelOrder(
  { db, metrics, saga }: OrderDeps,
  orderId: string,
  { customerId }: { customerId?: string } = {},
): Promise<CancelOrderResult> {
  const decided = await db.transaction(async (tx) => {
    const order = await lockOrder(tx, orderId);
    if (!order || (customerId !== undefined && order.customerId !== customerId)) return { outcome: 'not_found' } as const;
    if (order.status === 'CANCELLED') return { outcome: 'cancelled' } as const;
    if (!canCancel(order.status)) return { outcome: 'too_late', status: order.status } as const;
    await advanceOrder(tx, orderId, { status: 'CANCELLED', reason: 'customer_request' }, {}, metrics);
    await saga.cancelled(tx, orderId);
    return { outcome: 'cancelled' } as const;
  });
  if (decided.outcome !== 'cancelled') return decided;
  return { outcome: 'cancelled', order: (await findOrder(db, orderId))! };
}
