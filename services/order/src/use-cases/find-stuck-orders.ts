import { describeExpectation, expectedNext } from '../domain/expected-next.js';
import { openStatuses } from '../domain/lifecycle-rules.js';
import { unchangedOrders } from '../store/order-search-store.js';
import type { Order } from '../store/order-store.js';
import type { OrderDeps } from './order-deps.js';

/** Orders not finished whose last change is older than olderThanS, longest first, each with what it waits for. */
export async function findStuckOrders(
  { db, sagaMode }: OrderDeps,
  olderThanS: number,
  limit: number,
): Promise<{ order: Order; expectedNext: string }[]> {
  const orders = await unchangedOrders(db, openStatuses, olderThanS, limit);
  return orders.map((order) => ({ order, expectedNext: describeExpectation(expectedNext(order.status, sagaMode)!) }));
}
