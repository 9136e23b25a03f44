import { randomUUID } from 'node:crypto';
import test from 'ava';
import { carrierFor, trackingNumberFor } from '../src/domain/shipment.js';
import { cleanupList, confirmed, publish, shipmentsOf, shippingWith, sleep } from './fixture.js';

const cleanups = cleanupList();
test.after.always(() => cleanups.run());

const orchestration = { SAGA_MODE: 'orchestration' };

test('when the orchestrator sends shipping.create, then the shipment is created and delivered', async (t) => {
  const { e, service, events } = await shippingWith('orch_create', cleanups, orchestration);
  const orderId = randomUUID();
  const command = await publish(e, 'shipping.create', { orderId, customerId: 'C-7' });
  const [created] = await events.waitFor('shipment.created', orderId);
  t.is(created?.causationid, command.id);
  t.like(created?.data, { orderId, carrier: carrierFor(orderId), trackingNumber: trackingNumberFor(orderId) });
  await events.waitFor('shipment.delivered', orderId);
  const [shipment] = await shipmentsOf(service, orderId);
  t.like(shipment, { customerId: 'C-7', status: 'delivered' });
});

test('when the orchestrator sends shipping.cancel before dispatch, then the shipment is cancelled and never dispatched', async (t) => {
  const { e, service, events } = await shippingWith('orch_cancel', cleanups, { ...orchestration, SHIPPING_DISPATCH_DELAY_MS: '800' });
  const orderId = randomUUID();
  await publish(e, 'shipping.create', { orderId, customerId: 'C-7' });
  await events.waitFor('shipment.created', orderId);
  await publish(e, 'shipping.cancel', { orderId });
  await events.waitFor('shipment.cancelled', orderId);
  await sleep(1_200);
  t.deepEqual(
    events.seen.map((ev) => ev.type),
    ['shipment.created', 'shipment.cancelled'],
  );
  t.is((await shipmentsOf(service, orderId))[0]?.status, 'cancelled');
});

test('when shipping runs in orchestration mode, then an order.confirmed event does not create a shipment', async (t) => {
  // The binding, not the handler, decides what shipping reacts to in each mode.
  const { e, service, events } = await shippingWith('orch_binding', cleanups, orchestration);
  const ignored = randomUUID();
  await publish(e, 'order.confirmed', confirmed(ignored));
  const commanded = randomUUID();
  await publish(e, 'shipping.create', { orderId: commanded, customerId: 'C-7' });
  await events.waitFor('shipment.created', commanded);
  await sleep(300);
  t.deepEqual(events.of('shipment.created', ignored), []);
  t.deepEqual(await shipmentsOf(service, ignored), []);
});
