import type { EventData } from '@orderly/events';
import type { Emits, Facts } from './lifecycle.js';

type OrderEventType = NonNullable<Emits['emits']>;
export type OrderEvent = { [K in OrderEventType]: { type: K; data: EventData<K> } }[OrderEventType];

/** The order as its event describes it: whose it is, and what was reserved. */
export interface OrderRecord {
  orderId: string;
  customerId: string;
  email: string;
  totalCents?: number;
  currency: string;
}

/** Pure: the event a transition emits for the order it moved, with the transition's reason; none for a transition that emits none. */
export function orderEvent(t: Emits, order: OrderRecord, facts: Facts): OrderEvent | undefined {
  const customer = { orderId: order.orderId, customerId: order.customerId, email: order.email };
  switch (t.emits) {
    case 'order.confirmed':
      return { type: t.emits, data: { ...customer, totalCents: order.totalCents ?? 0, currency: order.currency } };
    case 'order.rejected':
      return { type: t.emits, data: { ...customer, reason: t.reason } };
    case 'order.shipped':
      return { type: t.emits, data: { ...customer, carrier: facts.carrier ?? '', trackingNumber: facts.trackingNumber ?? '' } };
    case 'order.delivered':
      return { type: t.emits, data: customer };
    case 'order.cancelled':
      return { type: t.emits, data: { ...customer, reason: t.reason } };
    case undefined:
      return undefined;
  }
}
