import type { Handler, Handlers } from '@orderly/platform';
import { cancelled, confirmed, delivered, type Message, refunded, rejected, shipped } from '../domain/messages.js';
import type { Recipient } from '../store/recipient-store.js';
import { notifyCustomer, notifyCustomerOfOrder } from '../use-cases/notify-customer.js';

const fromOrder =
  (compose: (data: Recipient & Record<string, unknown>) => Message): Handler =>
  ({ data }, tx) =>
    notifyCustomer(tx, data, compose(data));

/** Each customer-visible outcome becomes one message; the channels decide how it travels. */
export const orderOutcomes: Handlers = {
  'order.confirmed': fromOrder((d) => confirmed(d.orderId, d.totalCents as number, d.currency as string)),
  'order.rejected': fromOrder((d) => rejected(d.orderId, d.reason as string)),
  'order.shipped': fromOrder((d) => shipped(d.orderId, d.carrier as string, d.trackingNumber as string)),
  'order.delivered': fromOrder((d) => delivered(d.orderId)),
  'order.cancelled': fromOrder((d) => cancelled(d.orderId, d.reason as string)),
  'payment.refunded': ({ data }, tx) => notifyCustomerOfOrder(tx, data.orderId, refunded(data.orderId, data.amountCents, data.currency)),
};
