import { type EventData, newEnvelope } from '@orderly/events';
import type { Database, Message, RunningService, Tx } from '@orderly/platform';
import { type Cleanups, createTestEnv, startTestService } from '@orderly/platform/testing';
import { type HistoryEntry, type OrderEventType, project } from '../src/domain/history.js';
import { factOf, orderEvents } from '../src/handlers/order-events.js';
import { definition } from '../src/service.js';
import { historyOf } from '../src/store/history-store.js';

export type OrderEvent = Message<OrderEventType>;

/** The service on its own vhost and database (migrated); the tests drive its handler directly. */
export async function startCustomer(name: string, cleanups: Cleanups): Promise<RunningService<unknown>> {
  const env = await createTestEnv(`customer_${name}`);
  cleanups.add(() => env.cleanup());
  return startTestService(definition, env, cleanups);
}

export const at = (minute: number) => new Date(Date.UTC(2025, 0, 31, 12, minute)).toISOString();

/** An order event as the order service publishes it, at a chosen time. */
export function orderEvent<T extends OrderEventType>(type: T, orderId: string, customerId: string, minute: number): OrderEvent {
  const customer = { orderId, customerId, email: `${customerId}@example.com` };
  const extra: Record<OrderEventType, object> = {
    'order.placed': { items: [{ sku: 'TSHIRT-BLK-M', qty: 2 }] },
    'order.confirmed': { totalCents: 1000 + minute, currency: 'EUR' },
    'order.rejected': { reason: 'out_of_stock' },
    'order.cancelled': { reason: 'customer_request' },
    'order.shipped': { carrier: 'DHL', trackingNumber: `T-${orderId.slice(0, 8)}` },
    'order.delivered': {},
  };
  const data = { ...customer, ...extra[type] } as EventData<T>;
  return { ...newEnvelope('order', type, orderId, data), time: at(minute) } as OrderEvent;
}

/** Runs the service's handler for one event in the given transaction. */
export const handle = (tx: Tx, event: OrderEvent) => (orderEvents[event.type] as (m: OrderEvent, tx: Tx) => Promise<void>)(event, tx);

/** The events in one transaction, each in turn with its own cause: as the stream reader runs a batch. */
export const inOneBatch = (db: Database, events: readonly OrderEvent[]) =>
  db.transactionMany(events.map((event) => ({ cause: event, run: (tx: Tx) => handle(tx, event) })));

/** What the pure rule makes of the events of one order, folded one by one in the order given. */
export const foldOneByOne = (events: readonly OrderEvent[]) =>
  events.reduce<HistoryEntry | undefined>((entry, event) => project(entry, factOf(event)), undefined);

/** A customer's history as the API serves it, by order id. */
export async function historyById(db: Database, customerId: string): Promise<Map<string, unknown>> {
  const entries = await historyOf(db.pool, customerId, 500);
  return new Map(entries.map((e) => [e.orderId, e]));
}
