import { randomUUID } from 'node:crypto';
import test from 'ava';
import {
  canMove,
  carrierFor,
  carriers,
  decideCancel,
  type ShipmentStatus,
  shipmentStatuses,
  statusAfter,
  timerAfter,
  trackingNumberFor,
} from '../src/domain/shipment.js';

const orderId = '0f8fad5b-d9cb-469f-a165-70867728950e';
const delays = { dispatchMs: 5_000, deliveryMs: 10_000 };

test('when the same order is shipped twice, then it gets the same carrier and tracking number', (t) => {
  t.is(carrierFor(orderId), carrierFor(orderId));
  t.is(trackingNumberFor(orderId), trackingNumberFor(orderId));
});

test('when a tracking number is made, then it is OR followed by exactly ten digits', (t) => {
  for (let i = 0; i < 200; i++) t.regex(trackingNumberFor(randomUUID()), /^OR\d{10}$/);
});

test('when many orders are shipped, then every carrier is used and tracking numbers do not repeat', (t) => {
  const ids = Array.from({ length: 400 }, () => randomUUID());
  t.deepEqual([...new Set(ids.map(carrierFor))].sort(), [...carriers].sort());
  t.is(new Set(ids.map(trackingNumberFor)).size, ids.length);
});

test('when two orders differ, then their tracking numbers differ', (t) => {
  t.not(trackingNumberFor(orderId), trackingNumberFor('0f8fad5b-d9cb-469f-a165-70867728950f'));
});

test('when a shipment moves, then only created → dispatched → delivered and created → cancelled are allowed', (t) => {
  const allowed = shipmentStatuses.flatMap((from) => shipmentStatuses.filter((to) => canMove(from, to)).map((to) => `${from}→${to}`));
  t.deepEqual(allowed.sort(), ['created→cancelled', 'created→dispatched', 'dispatched→delivered']);
});

test('when a shipment is delivered or cancelled, then it never moves again', (t) => {
  for (const to of shipmentStatuses) {
    t.false(canMove('delivered', to), `delivered→${to}`);
    t.false(canMove('cancelled', to), `cancelled→${to}`);
  }
});

test('when a timer fires, then a dispatch timer dispatches and a deliver timer delivers', (t) => {
  t.is(statusAfter('dispatch'), 'dispatched');
  t.is(statusAfter('deliver'), 'delivered');
});

test('when a shipment is created or dispatched, then the next timer is scheduled with its configured delay', (t) => {
  t.deepEqual(timerAfter('created', delays), { kind: 'dispatch', delayMs: 5_000 });
  t.deepEqual(timerAfter('dispatched', delays), { kind: 'deliver', delayMs: 10_000 });
});

test('when a shipment is delivered or cancelled, then no timer follows', (t) => {
  t.is(timerAfter('delivered', delays), undefined);
  t.is(timerAfter('cancelled', delays), undefined);
});

test('when a cancel comes, then it cancels before dispatch, is harmless twice and too late afterwards', (t) => {
  const decisions = Object.fromEntries(shipmentStatuses.map((s: ShipmentStatus) => [s, decideCancel(s)]));
  t.deepEqual(decisions, { created: 'cancel', dispatched: 'too_late', delivered: 'too_late', cancelled: 'already_cancelled' });
});
