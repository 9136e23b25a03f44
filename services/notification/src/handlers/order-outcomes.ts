import type { Handlers } from '@orderly/platform';
import { cancelled, confirmed, delivered, refunded, rejected, shipped } from '../domain/messages.js';
import { notifyCustomer, notifyCustomerOfOrder } from '../use-cases/notify-customer.js';

/** Each customer-visible outcome becomes one message; the channels decide how it travels. */
export const orderOutcomes: Handlers = {
  'order.confirmed': ({ data }, tx) => notifyCustomer(tx, data, confirmed(data.orderId, data.totalCents, data.currency)),
  'order.rejected': ({ data }, tx) => notifyCustomer(tx, data, rejected(data.orderId, data.reason)),
  'order.shipped': ({ data }, tx) => notifyCustomer(tx, data, shipped(data.orderId, data.carrier, data.trackingNumber)),
  'order.delivered': ({ data }, tx) => notifyCustomer(tx, data, delivered(data.orderId)),
  'order.cancelled': ({ data }, tx) => notifyCustomer(tx, data, cancelled(data.orderId, data.reason)),
  'payment.refunded': ({ data }, tx) => notifyCustomerOfOrder(tx, data.orderId, refunded(data.orderId, data.amountCents, data.currency)),
};
