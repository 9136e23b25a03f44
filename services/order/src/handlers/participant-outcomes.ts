import type { Handler, Handlers, Message } from '@orderly/platform';
import type { Change } from '../domain/status.js';
import { lockOrder } from '../store/order-store.js';
import { advanceOrder, type Facts } from '../use-cases/advance-order.js';
import type { OrderDeps } from '../use-cases/order-deps.js';

/** The participants' replies the order hears, each naming its order. */
type Outcome =
  | 'inventory.reserved'
  | 'inventory.rejected'
  | 'inventory.committed'
  | 'payment.completed'
  | 'payment.failed'
  | 'shipment.created'
  | 'shipment.dispatched'
  | 'shipment.delivered';

/** Each participant's outcome (inventory, payment, shipping) as a change of the order; the saga hears every one. */
export function participantOutcomes({ metrics, saga }: OrderDeps): Handlers {
  const on =
    <T extends Outcome>(toChange: (message: Message<T>) => [Change, Facts] | undefined): Handler<T> =>
    async (message, tx) => {
      const { orderId } = message.data;
      const outcome = toChange(message);
      if (outcome) await advanceOrder(tx, orderId, outcome[0], outcome[1], metrics);
      await saga.replied(tx, message);
    };
  /**
   * A payment confirms the order only if it is for what was reserved: another amount or currency
   * is refused — the order is cancelled (payment_mismatch), which refunds the payment and releases
   * the stock in either saga mode, and the customer is told.
   */
  const checkedPayment: Handler<'payment.completed'> = async (message, tx) => {
    const { orderId, amountCents, currency } = message.data;
    const locked = { order: await lockOrder(tx, orderId) };
    const { order } = locked;
    if (order?.status === 'RESERVED' && (order.totalCents !== amountCents || order.currency !== currency)) {
      await advanceOrder(tx, orderId, { status: 'CANCELLED', reason: 'payment_mismatch' }, {}, metrics, locked);
      await saga.cancelled(tx, orderId);
      return;
    }
    await advanceOrder(tx, orderId, { status: 'CONFIRMED' }, { totalCents: amountCents, currency }, metrics, locked);
    await saga.replied(tx, message);
  };
  return {
    'inventory.reserved': on(({ data }) => [{ status: 'RESERVED' }, { totalCents: data.totalCents, currency: data.currency }]),
    'inventory.rejected': on(({ data }) => [{ status: 'REJECTED', reason: data.reason }, {}]),
    'payment.completed': checkedPayment,
    'payment.failed': on<'payment.failed'>(() => [{ status: 'REJECTED', reason: 'payment_declined' }, {}]),
    'shipment.dispatched': on<'shipment.dispatched'>(({ data }) => [
      { status: 'SHIPPED' },
      { carrier: data.carrier, trackingNumber: data.trackingNumber },
    ]),
    'shipment.delivered': on<'shipment.delivered'>(() => [{ status: 'DELIVERED' }, {}]),
    // Orchestration only: replies that advance the saga without changing what the customer sees.
    'inventory.committed': on<'inventory.committed'>(() => undefined),
    'shipment.created': on<'shipment.created'>(() => undefined),
  };
}
