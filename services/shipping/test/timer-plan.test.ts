import { randomUUID } from 'node:crypto';
import test from 'ava';
import type { ShipmentStatus, TimerKind } from '../src/domain/shipment.js';
import { type ClaimedTimer, planTimers } from '../src/domain/timer-plan.js';

const delays = { dispatchMs: 5_000, deliveryMs: 10_000 };

const timer = (kind: TimerKind, status: ShipmentStatus, over: Partial<ClaimedTimer> = {}): ClaimedTimer => ({
  id: String(Math.floor(Math.random() * 1e9)),
  orderId: randomUUID(),
  kind,
  causeId: randomUUID(),
  shipmentId: randomUUID(),
  status,
  carrier: 'DHL',
  trackingNumber: 'OR0000000001',
  ...over,
});

test('when due timers are planned, then each moves its shipment on in order and the next timer follows a dispatch only', (t) => {
  const dispatch = timer('dispatch', 'created');
  const deliver = timer('deliver', 'dispatched');
  const plan = planTimers([dispatch, deliver], delays);
  t.deepEqual(
    plan.steps.map((s) => [s.timer.id, s.to, s.next]),
    [
      [dispatch.id, 'dispatched', { kind: 'deliver', delayMs: 10_000 }],
      [deliver.id, 'delivered', undefined],
    ],
  );
  t.deepEqual([plan.stale, plan.later], [[], []]);
});

test('when a timer no longer applies (shipment cancelled, already moved on, or a tombstone), then it is stale and steps nothing', (t) => {
  const cancelled = timer('dispatch', 'cancelled');
  const movedOn = timer('dispatch', 'dispatched');
  const tombstone = timer('deliver', 'dispatched', { carrier: null, trackingNumber: null });
  const plan = planTimers([cancelled, movedOn, tombstone], delays);
  t.deepEqual(plan.steps, []);
  t.deepEqual(
    plan.stale.map((s) => s.id),
    [cancelled.id, movedOn.id, tombstone.id],
  );
});

test('when two timers of one shipment are claimed in one tick, then only the first steps and the second waits for the next tick', (t) => {
  const first = timer('dispatch', 'created');
  const second = timer('deliver', 'created', { shipmentId: first.shipmentId });
  const plan = planTimers([first, second], delays);
  t.deepEqual(
    plan.steps.map((s) => s.timer.id),
    [first.id],
  );
  t.deepEqual(
    plan.later.map((s) => s.id),
    [second.id],
  );
});
