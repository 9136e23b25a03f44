import { randomUUID } from 'node:crypto';
import { waitFor } from '@orderly/platform/testing';
import test, { type ExecutionContext } from 'ava';
import pg from 'pg';
import {
  cleanupList,
  confirmed,
  publish,
  query,
  shipmentIdOf,
  shipmentsOf,
  shippingWith,
  sleep,
  startShipping,
  testEnv,
  watchEvents,
} from './fixture.js';

const cleanups = cleanupList();
test.after.always(() => cleanups.run());

const steps = ['shipment.created', 'shipment.dispatched', 'shipment.delivered'];

/**
 * Each order's shipment took each step exactly once. Not in arrival order: each instance publishes
 * through its own relay, so a step taken by one may reach the broker before the previous step's
 * event from the other.
 */
function eachStepOnce(t: ExecutionContext, seen: { subject: string; type: string }[], orders: string[]): void {
  for (const orderId of orders) {
    t.deepEqual(
      seen
        .filter((ev) => ev.subject === orderId)
        .map((ev) => ev.type)
        .sort(),
      [...steps].sort(),
      orderId,
    );
  }
}

test('when shipping restarts before a dispatch timer fires, then the new instance dispatches and delivers exactly once', async (t) => {
  const e = await testEnv('restart', cleanups);
  // Due well after the stop, even when a busy machine makes the stop slow.
  const first = await startShipping(e, cleanups, { SHIPPING_DISPATCH_DELAY_MS: '4000' });
  const events = await watchEvents(e, cleanups);
  const orderId = randomUUID();
  await publish(e, 'order.confirmed', confirmed(orderId));
  await events.waitFor('shipment.created', orderId);
  await first.stop();

  // What the stopped instance left behind: the step it owes, kept in the database.
  t.deepEqual(await query(e, 'SELECT kind, due_at > now() AS pending FROM timers'), [{ kind: 'dispatch', pending: true }]);
  t.deepEqual(
    events.seen.map((ev) => ev.type),
    ['shipment.created'],
    'nothing was dispatched before the restart',
  );

  const second = await startShipping(e, cleanups);
  await events.waitFor('shipment.delivered', orderId, 1, 10_000);
  await sleep(500); // a repeated step would show up within a few polls
  t.deepEqual(
    events.seen.map((ev) => ev.type),
    steps,
  );
  const [shipment] = await shipmentsOf(second, orderId);
  t.deepEqual(
    shipment?.history.map((h) => h.status),
    ['created', 'dispatched', 'delivered'],
  );
  // The dispatch kept the time the first instance scheduled, not a fresh delay from the restart.
  const [createdAt, dispatchedAt] = shipment!.history.map((h) => Date.parse(h.at));
  t.true(dispatchedAt! - createdAt! >= 3_999);
});

test('when shipping stops while many timers are due, then every step taken is complete and the rest happen once after a restart', async (t) => {
  const e = await testEnv('stop_mid_batch', cleanups);
  const first = await startShipping(e, cleanups, { SHIPPING_DISPATCH_DELAY_MS: '0', SHIPPING_DELIVERY_DELAY_MS: '0' });
  const events = await watchEvents(e, cleanups);
  const orders = Array.from({ length: 30 }, () => randomUUID());
  for (const orderId of orders) await publish(e, 'order.confirmed', confirmed(orderId));
  await events.waitFor('shipment.dispatched', undefined, 3);
  await first.stop(); // mid-way: the timer in hand commits, the rest wait in the database

  // Every step the stopped instance took is whole: status, history, event and next timer agree.
  const rows = await query<{ status: string; steps: number; timers: string[]; events: number }>(
    e,
    `SELECT s.status,
            (SELECT count(*)::int FROM shipment_history h WHERE h.shipment_id = s.shipment_id) AS steps,
            (SELECT coalesce(array_agg(kind), '{}') FROM timers tm WHERE tm.shipment_id = s.shipment_id) AS timers,
            (SELECT count(*)::int FROM outbox o WHERE o.payload::jsonb->>'subject' = s.order_id::text) AS events
       FROM shipments s`,
  );
  t.true(rows.length > 0);
  const expectedAt = { created: [1, ['dispatch']], dispatched: [2, ['deliver']], delivered: [3, []] } as const;
  for (const row of rows) {
    const [n, timers] = expectedAt[row.status as keyof typeof expectedAt];
    t.deepEqual([row.steps, row.timers, row.events], [n, [...timers], n], row.status);
  }
  t.true(
    rows.some((r) => r.status !== 'delivered'),
    'the stop came before all the work was done',
  );

  await startShipping(e, cleanups, { SHIPPING_DISPATCH_DELAY_MS: '0', SHIPPING_DELIVERY_DELAY_MS: '0' });
  await events.waitFor('shipment.delivered', undefined, orders.length);
  await sleep(500);
  eachStepOnce(t, events.seen, orders);
});

test('when two replicas run, then every shipment takes each step exactly once', async (t) => {
  const e = await testEnv('replicas', cleanups);
  const vars = { SHIPPING_DISPATCH_DELAY_MS: '50', SHIPPING_DELIVERY_DELAY_MS: '50', SHIPPING_TIMER_POLL_MS: '10' };
  await startShipping(e, cleanups, vars);
  await startShipping(e, cleanups, vars);
  const events = await watchEvents(e, cleanups);
  const orders = Array.from({ length: 40 }, () => randomUUID());
  await Promise.all(orders.map((orderId) => publish(e, 'order.confirmed', confirmed(orderId))));
  await events.waitFor('shipment.delivered', undefined, orders.length, 30_000);
  await sleep(500);
  eachStepOnce(t, events.seen, orders);
});

test('when shipping is stopped while a timer transaction is in flight, then stop waits for it to commit and its event is published', async (t) => {
  // Long enough for the blocker below to be in place before the dispatch is due, even on a busy machine.
  const { e, service, events } = await shippingWith('stop_in_flight', cleanups, {
    SHIPPING_DISPATCH_DELAY_MS: '2000',
    SHIPPING_DELIVERY_DELAY_MS: '60000',
  });
  const orderId = randomUUID();
  await publish(e, 'order.confirmed', confirmed(orderId));
  const [created] = await events.waitFor('shipment.created', orderId);

  // Hold the dispatch mid-transaction: an uncommitted history row of our own makes the worker's insert wait.
  const blocker = new pg.Client({ connectionString: e.databaseUrl });
  await blocker.connect();
  cleanups.add(() => blocker.end());
  await blocker.query('BEGIN');
  await blocker.query(`INSERT INTO shipping.shipment_history (shipment_id, status) VALUES ($1, 'dispatched')`, [shipmentIdOf(created)]);
  await waitFor(
    async () => {
      const { rows } = await blocker.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'`,
      );
      return rows.length > 0 ? true : undefined;
    },
    { what: 'the worker waiting inside its transaction' },
  );

  let stopped = false;
  const stopping = service.stop().then(() => {
    stopped = true;
  });
  await sleep(300);
  t.false(stopped, 'stop waits for the timer in hand');
  await blocker.query('ROLLBACK');
  await stopping;

  t.deepEqual(await query(e, 'SELECT status FROM shipments'), [{ status: 'dispatched' }]);
  t.deepEqual(await query(e, 'SELECT kind FROM timers'), [{ kind: 'deliver' }], 'the next step is waiting for the next instance');
  t.deepEqual(await query(e, 'SELECT count(*)::int AS unsent FROM outbox WHERE published_at IS NULL'), [{ unsent: 0 }]);
  await events.waitFor('shipment.dispatched', orderId);
  await sleep(300);
  t.deepEqual(
    events.seen.map((ev) => ev.type),
    ['shipment.created', 'shipment.dispatched'],
  );
});

test('when nothing is due, then the worker sleeps until the next timer instead of polling, and fires it on time', async (t) => {
  const e = await testEnv('sleep_until_due', cleanups);
  // A poll interval far longer than the test: only the known due time can wake the worker.
  await startShipping(e, cleanups, {
    SHIPPING_DISPATCH_DELAY_MS: '300',
    SHIPPING_DELIVERY_DELAY_MS: '300',
    SHIPPING_TIMER_POLL_MS: '600000',
  });
  const events = await watchEvents(e, cleanups);
  const orderId = randomUUID();
  await publish(e, 'order.confirmed', confirmed(orderId));
  await events.waitFor('shipment.delivered', orderId);
  t.deepEqual(
    events.seen.filter((ev) => ev.subject === orderId).map((ev) => ev.type),
    steps,
  );
});

test('when one due timer cannot be written, then the others due with it still fire and it stays for a later tick', async (t) => {
  const e = await testEnv('one_failing', cleanups);
  const first = await startShipping(e, cleanups, { SHIPPING_DISPATCH_DELAY_MS: '600000' });
  const events = await watchEvents(e, cleanups);
  const orders = Array.from({ length: 6 }, () => randomUUID());
  for (const orderId of orders) await publish(e, 'order.confirmed', confirmed(orderId));
  await events.waitFor('shipment.created', undefined, orders.length);
  await first.stop();
  // One shipment's history already holds the step its timer will take: writing it fails (the history
  // refuses a step taken twice), which fails the tick that holds all six, now all due at once.
  const [bad, ...good] = orders;
  await query(e, `INSERT INTO shipment_history (shipment_id, status) SELECT shipment_id, 'dispatched' FROM shipments WHERE order_id = $1`, [
    bad,
  ]);
  await query(e, 'UPDATE timers SET due_at = now()');

  await startShipping(e, cleanups, { SHIPPING_DELIVERY_DELAY_MS: '0', SHIPPING_TIMER_POLL_MS: '50' });
  await events.waitFor('shipment.delivered', undefined, good.length, 30_000);
  t.deepEqual(
    events.seen
      .filter((ev) => ev.type === 'shipment.delivered')
      .map((ev) => ev.subject)
      .sort(),
    [...good].sort(),
  );
  t.deepEqual(await query(e, 'SELECT kind, (SELECT status FROM shipments s WHERE s.shipment_id = t.shipment_id) AS status FROM timers t'), [
    { kind: 'dispatch', status: 'created' },
  ]);
});

test('when timers fall due one after another, then one tick takes all that fell due within the linger', async (t) => {
  const e = await testEnv('linger', cleanups);
  await startShipping(e, cleanups, {
    SHIPPING_DISPATCH_DELAY_MS: '300',
    SHIPPING_DELIVERY_DELAY_MS: '60000',
    SHIPPING_TIMER_LINGER_MS: '1500',
  });
  const events = await watchEvents(e, cleanups);
  const orders = Array.from({ length: 10 }, () => randomUUID());
  // Due 40 ms apart: without the linger each is a tick (a transaction) of its own.
  for (const orderId of orders) {
    await publish(e, 'order.confirmed', confirmed(orderId));
    await sleep(40);
  }
  for (const orderId of orders) await events.waitFor('shipment.dispatched', orderId, 1, 10_000);
  const [ticks] = await query<{ n: string }>(e, `SELECT count(DISTINCT xmin::text) AS n FROM shipment_history WHERE status = 'dispatched'`);
  t.true(Number(ticks!.n) <= 2, `${ticks!.n} ticks dispatched 10 shipments due within the linger`);
});

test("when orders are confirmed one after another, then shipping, off the order's path, creates their shipments in one transaction", async (t) => {
  const e = await testEnv('consumer_linger', cleanups);
  await startShipping(e, cleanups, { SHIPPING_DISPATCH_DELAY_MS: '60000', CONSUMER_LINGER_MS: '1500' });
  const events = await watchEvents(e, cleanups);
  const orders = Array.from({ length: 8 }, () => randomUUID());
  // 30 ms apart: without the linger each is a batch (a transaction) of its own.
  for (const orderId of orders) {
    await publish(e, 'order.confirmed', confirmed(orderId));
    await sleep(30);
  }
  for (const orderId of orders) await events.waitFor('shipment.created', orderId, 1, 10_000);
  const [batches] = await query<{ n: string }>(e, 'SELECT count(DISTINCT xmin::text) AS n FROM shipments');
  t.true(Number(batches!.n) <= 2, `${batches!.n} transactions created 8 shipments confirmed within the linger`);
});
