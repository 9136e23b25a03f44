import type { Handlers } from '@orderly/platform';
import { chargePayment } from '../use-cases/charge-payment.js';
import { refundPayment } from '../use-cases/refund-payment.js';

/** Charge (inventory.reserved or payment.charge) and refund (order.cancelled or payment.refund), in either saga mode. */
export function paymentRequests(successRate: number): Handlers {
  return {
    'inventory.reserved': ({ data }, tx) => chargePayment(data, tx, successRate),
    'payment.charge': ({ data }, tx) => chargePayment(data, tx, successRate),
    'order.cancelled': ({ data }, tx) => refundPayment(data.orderId, tx),
    'payment.refund': ({ data }, tx) => refundPayment(data.orderId, tx),
  };
}
