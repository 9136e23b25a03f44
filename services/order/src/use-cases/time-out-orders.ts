import { advanceOrder, lockExistingOrder } from './advance-order.js';
import type { OrderDeps } from './order-deps.js';

/**
 * Orchestration: sagas whose step never got its reply are compensated (by the saga's own sweep)
 * and their orders cancelled (saga_timeout), up to limit at a time. Returns the orders cancelled.
 */
export async function timeOutOrders({ db, metrics, saga }: OrderDeps, limit: number): Promise<string[]> {
  return db.transaction(async (tx) => {
    const orderIds = await saga.expire(tx, limit);
    for (const orderId of orderIds) await advanceOrder(tx, await lockExistingOrder(tx, orderId), 'saga_timeout', {}, metrics);
    return orderIds;
  });
}
