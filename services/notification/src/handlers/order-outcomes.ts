import type { Handlers } from '@orderly/platform';
import { cancelled, confirmed, delivered, refunded, rejected, shipped } from '../domain/messages.js';
import { type EmailQueued, notifyCustomer, notifyCustomerOfOrder } from '../use-cases/notify-customer.js';

/** Each customer-visible outcome becomes one stored message, which the email sender mails. */
export function orderOutcomes(queued: EmailQueued): Handlers {
  return {
    'order.confirmed': ({ data }, tx) => notifyCustomer(tx, data, confirmed(data.orderId, data.totalCents, data.currency), queued),
    'order.rejected': ({ data }, tx) => notifyCustomer(tx, data, rejected(data.orderId, data.reason), queued),
    'order.shipped': ({ data }, tx) => notifyCustomer(tx, data, shipped(data.orderId, data.carrier, data.trackingNumber), queued),
    'order.delivered': ({ data }, tx) => notifyCustomer(tx, data, delivered(data.orderId), queued),
    'order.cancelled': ({ data }, tx) => notifyCustomer(tx, data, cancelled(data.orderId, data.reason), queued),
    'payment.refunded': ({ data }, tx) =>
      notifyCustomerOfOrder(tx, data.orderId, refunded(data.orderId, data.amountCents, data.currency), queued),
  };
}
