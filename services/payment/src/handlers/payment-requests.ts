import type { Handlers } from '@orderly/platform';
import type { GatewaySettings } from '../domain/gateway.js';
import { chargePayment } from '../use-cases/charge-payment.js';
import { refundPayment } from '../use-cases/refund-payment.js';

/** Charge (inventory.reserved or payment.charge) and refund (order.cancelled or payment.refund), in either saga mode. */
export function paymentRequests(gateway: GatewaySettings): Handlers {
  return {
    'inventory.reserved': ({ data }, tx) => chargePayment(data, tx, gateway),
    'payment.charge': ({ data }, tx) => chargePayment(data, tx, gateway),
    'order.cancelled': ({ data }, tx) => refundPayment(data.orderId, tx),
    'payment.refund': ({ data }, tx) => refundPayment(data.orderId, tx),
  };
}
