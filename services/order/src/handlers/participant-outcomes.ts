import type { Handler, Handlers, Message, PrepareBatch, Tx } from '@orderly/platform';
import { lifecycle, type Reply } from '../domain/lifecycle.js';
import { outcomeOf } from '../domain/lifecycle-rules.js';
import { lockOrders } from '../store/order-store.js';
import { advanceOrder, lockExistingOrder } from '../use-cases/advance-order.js';
import type { OrderDeps } from '../use-cases/order-deps.js';

/**
 * Each participant's reply (inventory, payment, shipping) as the lifecycle table says
 * (domain/lifecycle.ts): the row that fits it — a payment counts only for the total that was
 * reserved — moves the order, and the saga hears the reply, or is undone when the row says so
 * (a payment for another amount: refunded, the stock released, the customer told why).
 */
export function participantOutcomes({ metrics, saga }: OrderDeps): Handlers {
  const handle = async <T extends Reply>(message: Message<T>, tx: Tx): Promise<void> => {
    // Locked once: the row's condition, the transition and its event all read this.
    const order = await lockExistingOrder(tx, message.data.orderId);
    const { outcome, facts } = outcomeOf(message, order);
    const moved = await advanceOrder(tx, order, outcome, facts, metrics);
    if (moved && lifecycle[outcome].compensates) await saga.cancelled(tx, order.orderId);
    else await saga.replied(tx, message);
  };
  // Orchestration only: replies that advance the saga without changing what the customer sees.
  const sagaOnly: Handler<'inventory.committed' | 'shipment.created'> = (message, tx) => saga.replied(tx, message);
  return {
    'inventory.reserved': handle,
    'inventory.rejected': handle,
    'payment.completed': handle,
    'payment.failed': handle,
    'shipment.dispatched': handle,
    'shipment.delivered': handle,
    'inventory.committed': sagaOnly,
    'shipment.created': sagaOnly,
  };
}

/**
 * A batch of the order queue locks its orders (and, orchestrated, their sagas) in one round trip
 * before the first message's work, instead of one per order: two sorted statements sent together,
 * so no two replicas wait on each other's locks in opposite orders.
 */
export function lockBatch({ saga }: Pick<OrderDeps, 'saga'>): PrepareBatch<Message> {
  return async (tx, messages) => {
    const orderIds = messages.flatMap((m) => {
      const orderId = (m.data as { orderId?: unknown }).orderId;
      return typeof orderId === 'string' ? [orderId] : [];
    });
    await Promise.all([lockOrders(tx, orderIds), saga.lockBatch(tx, orderIds)]);
  };
}
