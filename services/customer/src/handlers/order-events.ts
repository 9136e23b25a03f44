import type { Envelope, EventData } from '@orderly/events';
import type { Handler, Handlers } from '@orderly/platform';
import type { OrderEventType, OrderFact } from '../domain/history.js';
import { recordOrderEvent } from '../use-cases/record-order-event.js';

type OrderEvent = Envelope & { type: OrderEventType; data: EventData<OrderEventType> };

export function factOf(event: OrderEvent): OrderFact {
  // Every order event names the order and the customer; some also carry the total or a reason.
  const data: { orderId: string; customerId: string; totalCents?: number; currency?: string; reason?: string } = event.data;
  return {
    type: event.type,
    orderId: data.orderId,
    customerId: data.customerId,
    time: event.time,
    ...(data.totalCents === undefined ? {} : { totalCents: data.totalCents }),
    ...(data.currency === undefined ? {} : { currency: data.currency }),
    ...(data.reason === undefined ? {} : { reason: data.reason }),
  };
}

const onOrderEvent: Handler<OrderEventType> = (event, tx) => recordOrderEvent(factOf(event), event.data.email, tx);

/** Every order event, into the customer's order history. */
export const orderEvents: Handlers = {
  'order.placed': onOrderEvent,
  'order.confirmed': onOrderEvent,
  'order.rejected': onOrderEvent,
  'order.cancelled': onOrderEvent,
  'order.shipped': onOrderEvent,
  'order.delivered': onOrderEvent,
};
