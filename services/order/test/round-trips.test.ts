import { cleanupList } from '@orderly/platform/testing';
import test from 'ava';
import { placeOrder } from '../src/use-cases/place-order.js';
import { type OrderUnderTest, startOrder } from './helpers.js';
import { depsOn, recorded } from './recording-pool.js';

/** POST /orders' transaction, counted in round trips to the real database (what a client's latency pays). */
const cleanups = cleanupList();
let o: OrderUnderTest;
test.before(async () => {
  o = await startOrder('round_trips', cleanups);
});
test.after.always(() => cleanups.run());

const request = (customerId: string) => ({
  customerId,
  email: `${customerId.toLowerCase()}@example.com`,
  items: [{ sku: 'BOOK-ALICE', qty: 1 }],
});

for (const mode of ['choreography', 'orchestration'] as const) {
  test(`when an order is placed without an idempotency key (${mode}), then its transaction is one round trip`, async (t) => {
    const { db, roundTrips, statements } = recorded(o.service.db.pool);
    const placed = await placeOrder(depsOn(db, mode), request('C31'));
    t.is(placed.outcome, 'placed');
    t.is(roundTrips(), 1, statements.join('\n'));
  });
}

test('when an order is placed with an idempotency key, then two round trips (the claim is read), and a replay finds the first order', async (t) => {
  const { db, roundTrips, statements } = recorded(o.service.db.pool);
  const placed = await placeOrder(depsOn(db), request('C32'), 'key-1');
  t.is(placed.outcome, 'placed');
  t.is(roundTrips(), 2, statements.join('\n'));
  const again = await placeOrder(depsOn(db), request('C32'), 'key-1');
  t.like(again, { outcome: 'replayed', orderId: placed.outcome === 'placed' ? placed.orderId : '' });
});
