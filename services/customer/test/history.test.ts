import test from 'ava';
import { advances, type HistoryEntry, type OrderEventType, type OrderFact, project } from '../src/domain/history.js';

const orderId = '0b7a3c1e-4a8f-4c8e-9d1a-2f6f1b7c9e01';
const at = (minute: number) => new Date(Date.UTC(2025, 0, 31, 12, minute)).toISOString();

const facts = {
  placed: { type: 'order.placed', orderId, customerId: 'cust-1', time: at(0) },
  confirmed: { type: 'order.confirmed', orderId, customerId: 'cust-1', time: at(1), totalCents: 3998, currency: 'EUR' },
  shipped: { type: 'order.shipped', orderId, customerId: 'cust-1', time: at(2) },
  delivered: { type: 'order.delivered', orderId, customerId: 'cust-1', time: at(3) },
  rejected: { type: 'order.rejected', orderId, customerId: 'cust-1', time: at(1), reason: 'out_of_stock' },
  cancelled: { type: 'order.cancelled', orderId, customerId: 'cust-1', time: at(2), reason: 'customer_request' },
} satisfies Record<string, OrderFact & { type: OrderEventType }>;

const fold = (...events: OrderFact[]) => events.reduce<HistoryEntry | undefined>((entry, fact) => project(entry, fact), undefined);

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

test('when an order is placed, then its entry is PENDING and was placed at the event time', (t) => {
  t.deepEqual(fold(facts.placed), { orderId, customerId: 'cust-1', status: 'PENDING', placedAt: at(0), updatedAt: at(0) });
});

test('when a placed order is confirmed, then it is CONFIRMED with its total and currency', (t) => {
  t.deepEqual(fold(facts.placed, facts.confirmed), {
    orderId,
    customerId: 'cust-1',
    status: 'CONFIRMED',
    totalCents: 3998,
    currency: 'EUR',
    placedAt: at(0),
    updatedAt: at(1),
  });
});

test('when order.confirmed arrives before order.placed, then the entry is created CONFIRMED and the later placed only fills the placing time', (t) => {
  const early = fold(facts.confirmed);
  t.is(early?.status, 'CONFIRMED');
  t.is(early?.placedAt, at(1), 'until placed arrives, the earliest time seen stands in');
  t.deepEqual(project(early, facts.placed), fold(facts.placed, facts.confirmed));
});

test('when shipped arrives before confirmed, then the status stays SHIPPED and confirmed still brings the total', (t) => {
  const entry = fold(facts.placed, facts.shipped, facts.confirmed);
  t.is(entry?.status, 'SHIPPED');
  t.is(entry?.totalCents, 3998);
  t.is(entry?.updatedAt, at(2));
});

test('when the events of a delivered order arrive in any order, some twice, then every order ends in the same entry', (t) => {
  const inOrder = fold(facts.placed, facts.confirmed, facts.shipped, facts.delivered);
  t.is(inOrder?.status, 'DELIVERED');
  const all = permutations([facts.placed, facts.confirmed, facts.shipped, facts.delivered]);
  t.is(all.length, 24);
  for (const events of all) {
    t.deepEqual(fold(...events), inOrder, events.map((e) => e.type).join(' → '));
    t.deepEqual(fold(...events, ...events), inOrder, `twice: ${events.map((e) => e.type).join(' → ')}`);
  }
});

test('when an order is rejected, then it stays REJECTED with its reason whatever arrives later', (t) => {
  const rejected = fold(facts.placed, facts.rejected);
  t.like(rejected, { status: 'REJECTED', reason: 'out_of_stock' });
  t.like(project(rejected, facts.confirmed), { status: 'REJECTED', reason: 'out_of_stock' });
  t.like(fold(facts.rejected, facts.placed), { status: 'REJECTED', reason: 'out_of_stock', placedAt: at(0) });
});

test('when an order is cancelled, then a late shipped or delivered does not overwrite CANCELLED', (t) => {
  const entry = fold(facts.placed, facts.confirmed, facts.cancelled, facts.shipped, facts.delivered);
  t.like(entry, { status: 'CANCELLED', reason: 'customer_request', totalCents: 3998 });
});

test('when a terminal failure arrives after a status the order had reached, then it ends the order', (t) => {
  t.like(fold(facts.placed, facts.confirmed, facts.cancelled), { status: 'CANCELLED', reason: 'customer_request' });
  t.is(fold(facts.placed, facts.confirmed)?.reason, undefined, 'no reason before a terminal failure');
});

test('when statuses are compared, then only forward moves and terminal failures advance', (t) => {
  t.true(advances('PENDING', 'CONFIRMED'));
  t.true(advances('CONFIRMED', 'DELIVERED'));
  t.true(advances('PENDING', 'REJECTED'));
  t.true(advances('CONFIRMED', 'CANCELLED'));
  t.false(advances('SHIPPED', 'CONFIRMED'));
  t.false(advances('CONFIRMED', 'CONFIRMED'));
  t.false(advances('REJECTED', 'CANCELLED'));
  t.false(advances('CANCELLED', 'DELIVERED'));
});
