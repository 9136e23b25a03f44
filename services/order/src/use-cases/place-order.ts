import { randomUUID } from 'node:crypto';
import type { Status } from '../domain/lifecycle.js';
import { type PlaceOrder, requestHash } from '../domain/order-request.js';
import { claimIdempotencyKey } from '../store/idempotency-store.js';
import { findOrder, insertOrder } from '../store/order-store.js';
import type { OrderDeps } from './order-deps.js';

export type PlaceOrderResult = { outcome: 'placed' | 'replayed'; orderId: string; status: Status } | { outcome: 'key_reused' };

/**
 * POST /orders: claims the idempotency key, stores the order as PENDING, emits order.placed and
 * starts the saga, in one transaction: the order and its first event exist together or not at
 * all. The same key with the same request gets the first order back; with another request, nothing.
 */
export async function placeOrder(
  { db, metrics, saga, idempotencyKeyRetentionHours }: OrderDeps,
  request: PlaceOrder,
  idempotencyKey?: string,
): Promise<PlaceOrderResult> {
  const decided = await db.transaction(async (tx) => {
    const orderId = randomUUID();
    if (idempotencyKey) {
      const hash = requestHash(request);
      const claim = await claimIdempotencyKey(tx, request.customerId, idempotencyKey, hash, orderId, idempotencyKeyRetentionHours);
      if (!claim.claimed) {
        return claim.requestHash === hash
          ? ({ outcome: 'replayed', orderId: claim.orderId } as const)
          : ({ outcome: 'key_reused' } as const);
      }
    }
    insertOrder(tx, { orderId, ...request });
    tx.emit('order.placed', orderId, { orderId, ...request });
    await saga.placed(tx, {
      orderId,
      customerId: request.customerId,
      items: request.items,
      ...(request.paymentMethod ? { paymentMethod: request.paymentMethod } : {}),
    });
    return { outcome: 'placed', orderId } as const;
  });
  switch (decided.outcome) {
    case 'placed':
      metrics.transitions.inc({ status: 'PENDING' });
      return { ...decided, status: 'PENDING' };
    case 'replayed':
      return { ...decided, status: (await findOrder(db, decided.orderId))?.status ?? 'PENDING' };
    case 'key_reused':
      return decided;
  }
}
