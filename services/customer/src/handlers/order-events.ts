import type { Envelope, EventData } from '@orderly/events';
import type { Handler, Handlers, Tx } from '@orderly/platform';
import { type OrderEventType, type OrderFact, orderEventTypes, project } from '../domain/history.js';
import { insertEntry, lockEntry, updateEntry } from '../order-history.js';
import { ensureProfile } from '../profiles.js';

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

/** Folds one order event into the customer's history (and makes the profile of a new customer). */
export async function recordOrderEvent(event: OrderEvent, tx: Tx): Promise<void> {
  const fact = factOf(event);
  await ensureProfile(tx, fact.customerId, event.data.email);
  let current = await lockEntry(tx, fact.orderId);
  if (!current) {
    if (await insertEntry(tx, project(undefined, fact))) return;
    // Another event of the same order got there first: fold into its row instead.
    current = await lockEntry(tx, fact.orderId);
  }
  await updateEntry(tx, project(current, fact));
}

export const customerHandlers: Handlers = Object.fromEntries(orderEventTypes.map((type) => [type, recordOrderEvent as Handler]));
