import type { Envelope } from '@orderly/events';
import type { Message } from '@orderly/platform';
import { cleanupList } from '@orderly/platform/testing';
import test from 'ava';
import { lockBatch, participantOutcomes } from '../src/handlers/participant-outcomes.js';
import { placeOrder } from '../src/use-cases/place-order.js';
import { type OrderUnderTest, paid, reserved, startOrder } from './helpers.js';
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

test('when a payment confirms an order, then its message is two round trips: the claim with the lock, the write with the commit', async (t) => {
  const orderId = await o.place('C33');
  const { db, roundTrips, statements } = recorded(o.service.db.pool);
  const handlers = participantOutcomes(depsOn(db));
  const handle = (message: Envelope) =>
    db.handleOnce({ consumer: 'order', eventId: message.id, eventTime: message.time }, message, (tx) =>
      handlers[message.type as 'payment.completed']!(message as Message<'payment.completed'>, tx),
    );
  t.true(await handle(reserved(orderId)));
  statements.length = 0;
  const before = roundTrips();
  t.true(await handle(paid(orderId)));
  t.is(roundTrips() - before, 2, statements.join('\n'));
  t.is((await o.ops(`/orders/${orderId}`)).body.status, 'CONFIRMED');
});

test('when one transaction handles two replies for an order, then the second sees the status the first set', async (t) => {
  const orderId = await o.place('C34');
  const handlers = participantOutcomes(depsOn(o.service.db));
  const replies = [reserved(orderId), paid(orderId)];
  // A batch of the order queue: one transaction, the messages in turn.
  await o.service.db.transactionMany(
    replies.map((m) => ({ cause: m, run: (tx) => handlers[m.type as 'payment.completed']!(m as Message<'payment.completed'>, tx) })),
  );
  t.like((await o.ops(`/orders/${orderId}`)).body, { status: 'CONFIRMED', totalCents: 1299 });
});

for (const mode of ['choreography', 'orchestration'] as const) {
  test(`when a batch of the order queue carries replies for five orders (${mode}), then it locks them in one round trip, not one per order`, async (t) => {
    const { db, roundTrips, statements } = recorded(o.service.db.pool);
    const deps = depsOn(db, mode);
    const orderIds: string[] = [];
    for (const c of ['C35', 'C36', 'C37', 'C38', 'C39']) {
      const placed = await placeOrder(deps, request(`${c}${mode[0]}`));
      if (placed.outcome === 'placed') orderIds.push(placed.orderId);
    }
    const handlers = participantOutcomes(deps);
    const replies = orderIds.flatMap((id) => [reserved(id), paid(id)]);
    statements.length = 0;
    const before = roundTrips();
    const handled = await db.handleMany(
      'order',
      replies.map((m) => ({
        eventId: m.id,
        eventTime: m.time,
        cause: m as Message,
        run: (tx) => handlers[m.type as 'payment.completed']!(m as Message<'payment.completed'>, tx),
      })),
      lockBatch(deps),
    );
    t.is(handled.size, replies.length);
    // BEGIN with the inbox claim; every order (and saga) locked; the writes with the COMMIT.
    t.is(roundTrips() - before, 3, statements.join('\n'));
    for (const id of orderIds) t.like((await o.ops(`/orders/${id}`)).body, { status: 'CONFIRMED', totalCents: 1299 });
    if (mode === 'orchestration') {
      const { rows } = await o.service.db.pool.query(`SELECT step FROM sagas WHERE order_id = ANY($1::uuid[])`, [orderIds]);
      t.deepEqual(
        rows.map((r) => r.step),
        [2, 2, 2, 2, 2],
        'each saga took both replies, the second on top of the first',
      );
    }
  });
}
