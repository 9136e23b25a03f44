import type { Envelope } from '@orderly/events';
import type { Handler, Handlers } from '@orderly/platform';
import type { Change } from '../domain/status.js';
import { lockOrder } from '../store/order-store.js';
import { advanceOrder, type Facts } from '../use-cases/advance-order.js';
import type { OrderDeps } from '../use-cases/order-deps.js';

type OrderEvent = Envelope & { data: { orderId: string } & Facts & Record<string, unknown> };

/** Each participant's outcome (inventory, payment, shipping) as a change of the order; the saga hears every one. */
export function participantOutcomes({ metrics, saga }: OrderDeps): Handlers {
  const on =
    (toChange: (e: OrderEvent) => [Change, Facts] | undefined): Handler =>
    async (event, tx) => {
      const outcome = toChange(event as OrderEvent);
      if (outcome) await advanceOrder(tx, event.data.orderId, outcome[0], outcome[1], metrics);
      await saga.replied(tx, event as OrderEvent);
    };
  /**
   * A payment confirms the order only if it is for what was reserved: another amount or currency
   * is refused — the order is cancelled (payment_mismatch), which refunds the payment and releases
   * the stock in either saga mode, and the customer is told.
   */
  const paymentCompleted = on(({ data }) => [{ status: 'CONFIRMED' }, { totalCents: data.amountCents as number, currency: data.currency }]);
  const checkedPayment: Handler = async (event, tx) => {
    const { orderId, amountCents, currency } = event.data as { orderId: string; amountCents: number; currency: string };
    const order = await lockOrder(tx, orderId);
    if (order?.status === 'RESERVED' && (order.totalCents !== amountCents || order.currency !== currency)) {
      await advanceOrder(tx, orderId, { status: 'CANCELLED', reason: 'payment_mismatch' }, {}, metrics);
      await saga.cancelled(tx, orderId);
      return;
    }
    await paymentCompleted(event, tx);
  };
  return {
    'inventory.reserved': on(({ data }) => [{ status: 'RESERVED' }, { totalCents: data.totalCents, currency: data.currency }]),
    'inventory.rejected': on(({ data }) => [{ status: 'REJECTED', reason: data.reason as Change['reason'] }, {}]),
    'payment.completed': checkedPayment,
    'payment.failed': on(() => [{ status: 'REJECTED', reason: 'payment_declined' }, {}]),
    'shipment.dispatched': on(({ data }) => [{ status: 'SHIPPED' }, { carrier: data.carrier, trackingNumber: data.trackingNumber }]),
    'shipment.delivered': on(() => [{ status: 'DELIVERED' }, {}]),
    // Orchestration only: replies that advance the saga without changing what the customer sees.
    'inventory.committed': on(() => undefined),
    'shipment.created': on(() => undefined),
  };
}
