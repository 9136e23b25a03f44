import type { cancellationReasons, notificationKinds } from '@orderly/events';

/** The words the customer reads, per outcome. Pure: no I/O, tested on its own. */

export type Kind = (typeof notificationKinds)[number];

export interface Message {
  kind: Kind;
  subject: string;
  body: string;
}

const reasons: Record<string, string> = {
  out_of_stock: 'one or more items are out of stock',
  unknown_product: 'one or more items are not in our catalogue',
  payment_declined: 'the payment was declined',
};

// A formatter is costly to build (it showed in the profile): one per currency, made once.
const formatters = new Map<string, Intl.NumberFormat>();

export function formatMoney(cents: number, currency: string): string {
  let f = formatters.get(currency);
  if (!f) {
    f = new Intl.NumberFormat('en-IE', { style: 'currency', currency });
    formatters.set(currency, f);
  }
  return f.format(cents / 100);
}

const shortId = (orderId: string) => orderId.slice(0, 8);

export function confirmed(orderId: string, totalCents: number, currency: string): Message {
  return {
    kind: 'order_confirmed',
    subject: `Your order ${shortId(orderId)} is confirmed`,
    body: `Thank you! We have received your payment of ${formatMoney(totalCents, currency)} and are preparing order ${orderId}.`,
  };
}

export function rejected(orderId: string, reason: string): Message {
  return {
    kind: 'order_rejected',
    subject: `We could not accept your order ${shortId(orderId)}`,
    body: `Sorry: order ${orderId} could not be completed because ${reasons[reason] ?? reason}. You have not been charged.`,
  };
}

export function shipped(orderId: string, carrier: string, trackingNumber: string): Message {
  return {
    kind: 'order_shipped',
    subject: `Your order ${shortId(orderId)} is on its way`,
    body: `Order ${orderId} has left our warehouse with ${carrier}. Tracking number: ${trackingNumber}.`,
  };
}

export function delivered(orderId: string): Message {
  return {
    kind: 'order_delivered',
    subject: `Your order ${shortId(orderId)} was delivered`,
    body: `Order ${orderId} has been delivered. Enjoy!`,
  };
}

/** Why an order was cancelled, in the customer's words: one per reason the catalog has, so none reads as another. */
const cancellations: Record<(typeof cancellationReasons)[number], string> = {
  customer_request: 'you asked us to',
  saga_timeout: 'we could not complete it in time',
  payment_mismatch: 'the payment did not match the order total',
};

export function cancelled(orderId: string, reason: (typeof cancellationReasons)[number]): Message {
  return {
    kind: 'order_cancelled',
    subject: `Your order ${shortId(orderId)} is cancelled`,
    body: `Order ${orderId} was cancelled because ${cancellations[reason]}. Any payment will be refunded.`,
  };
}

export function refunded(orderId: string, amountCents: number, currency: string): Message {
  return {
    kind: 'payment_refunded',
    subject: `Refund for order ${shortId(orderId)}`,
    body: `We have refunded ${formatMoney(amountCents, currency)} for order ${orderId}.`,
  };
}
