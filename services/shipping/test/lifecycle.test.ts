import { randomUUID } from 'node:crypto';
import test from 'ava';
import { carrierFor, trackingNumberFor } from '../src/domain/shipment.js';
import {
  cancelled,
  cleanupList,
  confirmed,
  http,
  inboxHolds,
  publish,
  shipmentIdOf,
  shipmentsOf,
  shippingWith,
  sleep,
  startShipping,
  testEnv,
} from './fixture.js';

const cleanups = cleanupList();
test.after.always(() => cleanups.run());

const historyOf = (s: { history: { status: string }[] } | undefined) => s?.history.map((h) => h.status);

test('when an order is confirmed, then its shipment is created, dispatched and delivered, and each event reaches the broker once', async (t) => {
  const { e, service, events } = await shippingWith('lifecycle', cleanups);
  const orderId = randomUUID();
  const cause = await publish(e, 'order.confirmed', confirmed(orderId));

  const [delivered] = await events.waitFor('shipment.delivered', orderId);
  const [created] = events.of('shipment.created', orderId);
  const [dispatched] = events.of('shipment.dispatched', orderId);
  await sleep(400); // anything repeated would arrive within a few polls
  t.deepEqual(
    events.seen.map((ev) => ev.type),
    ['shipment.created', 'shipment.dispatched', 'shipment.delivered'],
  );
  const shipmentId = shipmentIdOf(created);
  for (const ev of [created, dispatched, delivered]) {
    t.deepEqual(ev?.data, { orderId, shipmentId, carrier: carrierFor(orderId), trackingNumber: trackingNumberFor(orderId) });
    t.is(ev?.correlationid, orderId);
  }
  // Each step follows from the one before it, so the audit timeline can put them in causal order.
  t.is(created?.causationid, cause.id);
  t.is(dispatched?.causationid, created?.id);
  t.is(delivered?.causationid, dispatched?.id);

  const [shipment, ...others] = await shipmentsOf(service, orderId);
  t.is(others.length, 0);
  t.like(shipment, {
    shipmentId,
    orderId,
    customerId: 'C-1',
    carrier: carrierFor(orderId),
    trackingNumber: trackingNumberFor(orderId),
    status: 'delivered',
  });
  t.deepEqual(historyOf(shipment), ['created', 'dispatched', 'delivered']);
  // The configured delays hold between the steps (times from the database's clock, to the millisecond).
  const [createdAt, dispatchedAt, deliveredAt] = shipment!.history.map((h) => Date.parse(h.at));
  t.true(dispatchedAt! - createdAt! >= 99, `dispatched ${dispatchedAt! - createdAt!} ms after created`);
  t.true(deliveredAt! - dispatchedAt! >= 199, `delivered ${deliveredAt! - dispatchedAt!} ms after dispatched`);
  const byId = await http(service, `/shipments/${shipment!.shipmentId}`);
  t.is(byId.status, 200);
  t.deepEqual(byId.body, shipment);
  const { rows } = await service.db.pool.query('SELECT count(*)::int AS n FROM timers');
  t.is(rows[0].n, 0, 'no timer is left once the shipment is delivered');
});

test('when an order is confirmed twice (the same event redelivered and a second event), then it has one shipment', async (t) => {
  const { e, service, events } = await shippingWith('twice', cleanups);
  const orderId = randomUUID();
  const first = await publish(e, 'order.confirmed', confirmed(orderId));
  await publish(e, 'order.confirmed', confirmed(orderId), first);
  await publish(e, 'order.confirmed', confirmed(orderId));

  await events.waitFor('shipment.delivered', orderId);
  await inboxHolds(service, 2);
  await sleep(400);
  t.is(events.of('shipment.created', orderId).length, 1);
  t.is(events.of('shipment.dispatched', orderId).length, 1);
  t.is(events.of('shipment.delivered', orderId).length, 1);
  const shipments = await shipmentsOf(service, orderId);
  t.is(shipments.length, 1);
  t.deepEqual(historyOf(shipments[0]), ['created', 'dispatched', 'delivered']);
});

test('when an order is cancelled before dispatch, then its shipment is cancelled and never dispatched', async (t) => {
  const { e, service, events } = await shippingWith('cancel', cleanups, { SHIPPING_DISPATCH_DELAY_MS: '800' });
  const orderId = randomUUID();
  await publish(e, 'order.confirmed', confirmed(orderId));
  const [created] = await events.waitFor('shipment.created', orderId);
  await publish(e, 'order.cancelled', cancelled(orderId));
  const [cancel] = await events.waitFor('shipment.cancelled', orderId);
  t.deepEqual(cancel?.data, { orderId, shipmentId: shipmentIdOf(created) });

  await sleep(1_200); // past the dispatch delay
  t.deepEqual(
    events.seen.map((ev) => ev.type),
    ['shipment.created', 'shipment.cancelled'],
  );
  const [shipment] = await shipmentsOf(service, orderId);
  t.is(shipment?.status, 'cancelled');
  t.deepEqual(historyOf(shipment), ['created', 'cancelled']);
  const { rows } = await service.db.pool.query('SELECT count(*)::int AS n FROM timers');
  t.is(rows[0].n, 0, 'the pending dispatch was removed');
});

test('when a cancel arrives before the confirmation, then the late confirmation ships nothing', async (t) => {
  const { e, service, events } = await shippingWith('tombstone', cleanups);
  const orderId = randomUUID();
  await publish(e, 'order.cancelled', cancelled(orderId));
  // Handled before the confirmation is sent: deliveries of one queue are handled concurrently, so
  // two messages published back to back may commit in either order.
  await inboxHolds(service, 1);
  await publish(e, 'order.confirmed', confirmed(orderId));
  await inboxHolds(service, 2);
  await sleep(500); // past the dispatch delay
  t.deepEqual(events.seen, []);
  t.deepEqual(await shipmentsOf(service, orderId), []);
  const { rows } = await service.db.pool.query('SELECT status, carrier FROM shipments WHERE order_id = $1', [orderId]);
  t.deepEqual(rows, [{ status: 'cancelled', carrier: null }]);
});

test('when an order is cancelled after dispatch, then the cancel is ignored and the shipment is delivered', async (t) => {
  const { e, service, events } = await shippingWith('late_cancel', cleanups, { SHIPPING_DELIVERY_DELAY_MS: '800' });
  const orderId = randomUUID();
  await publish(e, 'order.confirmed', confirmed(orderId));
  await events.waitFor('shipment.dispatched', orderId);
  await publish(e, 'order.cancelled', cancelled(orderId));
  await events.waitFor('shipment.delivered', orderId);
  t.is(events.of('shipment.cancelled').length, 0);
  const [shipment] = await shipmentsOf(service, orderId);
  t.is(shipment?.status, 'delivered');
  t.deepEqual(historyOf(shipment), ['created', 'dispatched', 'delivered']);
});

test('when a request names no valid order or shipment, then it gets a 400 or 404 problem', async (t) => {
  const e = await testEnv('http', cleanups);
  const service = await startShipping(e, cleanups);
  const noOrder = await http(service, '/shipments');
  t.is(noOrder.status, 400);
  t.regex(noOrder.type, /application\/problem\+json/);
  t.like(noOrder.body, { status: 400, 'invalid-params': [{ name: 'orderId' }] });
  const badOrder = await http(service, '/shipments?orderId=nope');
  t.is(badOrder.status, 400);
  const badId = await http(service, '/shipments/nope');
  t.is(badId.status, 400);
  t.like(badId.body, { 'invalid-params': [{ name: 'id' }] });
  const unknown = await http(service, `/shipments/${randomUUID()}`);
  t.is(unknown.status, 404);
  t.regex(unknown.type, /application\/problem\+json/);
  t.deepEqual((await http(service, `/shipments?orderId=${randomUUID()}`)).body, []);
});
