import { randomUUID } from 'node:crypto';
import type { RunningService } from '@orderly/platform';
import { cleanupList, recordedDatabase } from '@orderly/platform/testing';
import test from 'ava';
import { at, foldOneByOne, historyById, inOneBatch, type OrderEvent, orderEvent, startCustomer } from './fixture.js';

/** A stream reader's batch: many events of a few orders in one transaction. */
const cleanups = cleanupList();
let service: RunningService<unknown>;
test.before(async () => {
  service = await startCustomer('batch', cleanups);
});
test.after.always(() => cleanups.run());

/** The events of a batch, interleaved order by order: event i of each order, then event i + 1. */
const interleaved = (perOrder: OrderEvent[][]): OrderEvent[] =>
  Array.from({ length: Math.max(...perOrder.map((e) => e.length)) }, (_, i) => perOrder.flatMap((events) => events[i] ?? [])).flat();

test('when a batch holds many events of a few orders, then it costs one round trip per order plus the commit', async (t) => {
  const [known1, known2, new1, new2] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  // Two orders the history already has, so the batch folds into existing rows as well as new ones.
  await inOneBatch(service.db, [orderEvent('order.placed', known1, 'rt-a', 0), orderEvent('order.placed', known2, 'rt-b', 0)]);
  const batch = interleaved([
    [
      orderEvent('order.confirmed', known1, 'rt-a', 1),
      orderEvent('order.shipped', known1, 'rt-a', 2),
      orderEvent('order.delivered', known1, 'rt-a', 3),
    ],
    [orderEvent('order.confirmed', known2, 'rt-b', 1), orderEvent('order.cancelled', known2, 'rt-b', 2)],
    [
      orderEvent('order.placed', new1, 'rt-a', 0),
      orderEvent('order.confirmed', new1, 'rt-a', 1),
      orderEvent('order.shipped', new1, 'rt-a', 2),
    ],
    [
      orderEvent('order.confirmed', new2, 'rt-c', 1),
      orderEvent('order.placed', new2, 'rt-c', 0),
      orderEvent('order.rejected', new2, 'rt-c', 2),
    ],
  ]);
  t.is(batch.length, 11);
  const orders = 4;

  const { db, roundTrips, statements } = recordedDatabase(service.db.pool, 'customer');
  await inOneBatch(db, batch);
  t.log(`${batch.length} events of ${orders} orders: ${roundTrips()} round trips, ${statements.length} statements`);
  // BEGIN goes out with the first statement; the writes go out with the COMMIT.
  t.true(roundTrips() <= orders + 1, statements.join('\n'));
  t.like(Object.fromEntries((await historyById(service.db, 'rt-a')).entries()), {
    [known1]: { status: 'DELIVERED', placedAt: at(0), updatedAt: at(3) },
    [new1]: { status: 'SHIPPED', placedAt: at(0), updatedAt: at(2) },
  });
});

test('when a batch interleaves several orders with duplicates and out-of-order events, then the history is what folding them one by one gives', async (t) => {
  const customer = 'fold-1';
  const [a, b, c, d] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const placedA = orderEvent('order.placed', a, customer, 0);
  const confirmedB = orderEvent('order.confirmed', b, customer, 11);
  const earlier = [orderEvent('order.placed', d, customer, 30)];
  // d is in the history before the batch: the batch folds into a row it did not create.
  await inOneBatch(service.db, earlier);
  const perOrder = [
    // Delivered, arriving backwards, its placed twice (a republished copy keeps its id).
    [
      orderEvent('order.delivered', a, customer, 3),
      placedA,
      orderEvent('order.shipped', a, customer, 2),
      placedA,
      orderEvent('order.confirmed', a, customer, 1),
    ],
    // Rejected after confirmed arrived first; the confirmed twice; a late shipped does not move it.
    [
      confirmedB,
      orderEvent('order.rejected', b, customer, 12),
      confirmedB,
      orderEvent('order.placed', b, customer, 10),
      orderEvent('order.shipped', b, customer, 13),
    ],
    // Cancelled, then a late delivered.
    [
      orderEvent('order.placed', c, customer, 20),
      orderEvent('order.cancelled', c, customer, 22),
      orderEvent('order.delivered', c, customer, 23),
    ],
    // Existing row: confirmed and shipped in the batch, shipped before confirmed.
    [orderEvent('order.shipped', d, customer, 32), orderEvent('order.confirmed', d, customer, 31)],
  ];
  await inOneBatch(service.db, interleaved(perOrder));

  const history = await historyById(service.db, customer);
  const expected = [
    foldOneByOne(perOrder[0]!),
    foldOneByOne(perOrder[1]!),
    foldOneByOne(perOrder[2]!),
    foldOneByOne([...earlier, ...perOrder[3]!]),
  ];
  t.is(history.size, 4);
  for (const entry of expected) {
    const { customerId, ...shown } = entry!;
    t.deepEqual(history.get(entry!.orderId), shown, entry!.orderId);
  }
  t.like(history.get(a), { status: 'DELIVERED', totalCents: 1001, placedAt: at(0), updatedAt: at(3) });
  t.like(history.get(b), { status: 'REJECTED', reason: 'out_of_stock', placedAt: at(10) });
  t.like(history.get(c), { status: 'CANCELLED', reason: 'customer_request' });
  t.like(history.get(d), { status: 'SHIPPED', totalCents: 1031, placedAt: at(30), updatedAt: at(32) });
});

test('when a batch changes several orders of several customers, then their entries and profiles are written with one statement each, each entry as it ends', async (t) => {
  const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
  const placed = [orderEvent('order.placed', a, 'st-a', 0), orderEvent('order.placed', b, 'st-b', 0)];
  // Existing rows, so the batch's folds are updates (the entries the batch creates are inserted as they are locked).
  await inOneBatch(service.db, placed);
  const perOrder = [
    [orderEvent('order.confirmed', a, 'st-a', 1), orderEvent('order.shipped', a, 'st-a', 2), orderEvent('order.delivered', a, 'st-a', 3)],
    [orderEvent('order.rejected', b, 'st-b', 1)],
    [orderEvent('order.placed', c, 'st-c', 5), orderEvent('order.confirmed', c, 'st-c', 6)],
  ];
  const { db, statements } = recordedDatabase(service.db.pool, 'customer');
  await inOneBatch(db, interleaved(perOrder));
  const count = (start: string) => statements.filter((s) => s.trimStart().startsWith(start)).length;
  t.is(count('UPDATE customer_orders'), 1, statements.join('\n'));
  t.is(count('INSERT INTO customers'), 1, statements.join('\n'));
  const expected = [foldOneByOne([placed[0]!, ...perOrder[0]!]), foldOneByOne([placed[1]!, ...perOrder[1]!]), foldOneByOne(perOrder[2]!)];
  for (const entry of expected) {
    const { customerId, ...shown } = entry!;
    t.deepEqual((await historyById(service.db, customerId)).get(shown.orderId), shown);
  }
  const { rows } = await service.db.pool.query('SELECT customer_id, email FROM customers WHERE customer_id LIKE $1 ORDER BY 1', ['st-%']);
  t.deepEqual(
    rows,
    ['st-a', 'st-b', 'st-c'].map((id) => ({ customer_id: id, email: `${id}@example.com` })),
  );
});
