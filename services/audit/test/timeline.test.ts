import { newEnvelope } from '@orderly/events';
import test from 'ava';
import { activityOf, traceIdOrNull } from '../src/domain/activity.js';
import { causalOrder, type Hop, timeline } from '../src/domain/timeline.js';

const at = (ms: number) => new Date(Date.UTC(2025, 0, 31, 12, 0, 0, ms)).toISOString();
const hop = (id: string, ms: number, causationId: string | null = null): Hop => ({ id, time: at(ms), causationId });
const ids = (hops: Hop[]) => hops.map((h) => h.id);

test('when a service clock runs behind, then a message still comes after the message that caused it', (t) => {
  // payment's clock is 40 ms behind: its reply looks older than the reservation it answers.
  const hops = [hop('placed', 0), hop('reserved', 50, 'placed'), hop('paid', 10, 'reserved'), hop('confirmed', 60, 'paid')];
  t.deepEqual(ids(causalOrder(hops)), ['placed', 'reserved', 'paid', 'confirmed']);
});

test('when one message causes several, then the branches interleave by time, each after its cause', (t) => {
  const hops = [
    hop('confirmed', 0),
    hop('notified', 30, 'confirmed'),
    hop('shipment', 10, 'confirmed'),
    hop('dispatched', 20, 'shipment'),
    hop('shipped', 40, 'dispatched'),
  ];
  t.deepEqual(ids(causalOrder([...hops].reverse())), ['confirmed', 'shipment', 'dispatched', 'notified', 'shipped']);
});

test('when messages have no known cause, then they are ordered by time, then by id', (t) => {
  const hops = [hop('b', 5), hop('c', 1, 'not-in-this-timeline'), hop('a', 5)];
  t.deepEqual(ids(causalOrder(hops)), ['c', 'a', 'b']);
});

test('when causes form a cycle or a message names itself, then every message is still shown once', (t) => {
  const hops = [hop('x', 2, 'y'), hop('y', 1, 'x'), hop('self', 0, 'self'), hop('x', 2, 'y')];
  t.deepEqual(ids(causalOrder(hops)), ['self', 'y', 'x']);
});

test('when the timeline is built, then each hop says the time spent since the previous one', (t) => {
  const result = timeline([hop('b', 250, 'a'), hop('a', 100), hop('c', 200, 'b')]);
  t.deepEqual(
    result.map((h) => [h.id, h.sincePreviousMs]),
    [
      ['a', null],
      ['b', 150],
      ['c', -50],
    ],
  );
});

test('when a command is logged, then its kind, order, source without prefix, cause and trace id are kept', (t) => {
  const cause = { id: crypto.randomUUID(), correlationid: crypto.randomUUID() };
  const envelope = newEnvelope(
    'order',
    'payment.charge',
    cause.correlationid,
    { orderId: cause.correlationid, totalCents: 1, currency: 'EUR' },
    cause,
  );
  t.deepEqual(activityOf(envelope, 'a'.repeat(32)), {
    id: envelope.id,
    type: 'payment.charge',
    kind: 'command',
    orderId: cause.correlationid,
    source: 'order',
    time: envelope.time,
    causationId: cause.id,
    traceId: 'a'.repeat(32),
    payload: envelope.data,
  });
  const event = newEnvelope('inventory', 'inventory.committed', cause.correlationid, { orderId: cause.correlationid, lines: [] });
  t.like(activityOf(event, undefined), { kind: 'event', source: 'inventory', causationId: null, traceId: null });
});

test('when the trace id is all zeros, absent or malformed, then none is kept', (t) => {
  t.is(traceIdOrNull('0'.repeat(32)), null);
  t.is(traceIdOrNull(undefined), null);
  t.is(traceIdOrNull('xyz'), null);
  t.is(traceIdOrNull('4bf92f3577b34da6a3ce929d0e0e4736'), '4bf92f3577b34da6a3ce929d0e0e4736');
});

test('when an order has thousands of messages, then its timeline takes time in proportion, not squared', (t) => {
  // The shapes that made the old ordering quadratic: a long causal chain whose clocks run
  // backwards (each message looks older than its cause) and a wide fan-out from one message.
  const n = 20_000;
  const hops: Hop[] = [hop('m0', n)];
  for (let i = 1; i < n / 2; i++) hops.push(hop(`m${i}`, n - i, `m${i - 1}`));
  for (let i = n / 2; i < n; i++) hops.push(hop(`m${i}`, i, 'm0'));
  const shuffled = [...hops].sort((a, b) => (a.id.length - b.id.length) * 7 + a.id.localeCompare(b.id));
  // Work counted, not timed: every read of a message's id or time, which any ordering needs to
  // compare or look up. n log n reads stay within a small multiple of n; n² would be ~10^4 × n.
  let reads = 0;
  const counted = shuffled.map((h) => ({
    get id() {
      reads++;
      return h.id;
    },
    get time() {
      reads++;
      return h.time;
    },
    causationId: h.causationId,
  }));
  const ordered = causalOrder(counted);
  const perMessage = reads / n;
  t.log(`${n} messages ordered with ${perMessage.toFixed(1)} reads per message`);
  t.is(ordered.length, n);
  const position = new Map(ordered.map((h, i) => [h.id, i]));
  t.deepEqual(
    hops.filter((h) => h.causationId && position.get(h.id)! < position.get(h.causationId)!).map((h) => h.id),
    [],
    'every message after its cause',
  );
  t.true(perMessage < 4 * Math.log2(n), `${perMessage.toFixed(1)} reads per message`);
});

test('when two messages without a shown cause fall in the same millisecond, then the microseconds of their times order them, not their ids', (t) => {
  // An order and its saga's first command, emitted by one transaction: ids that would sort the other way.
  const hops: Hop[] = [
    { id: 'ffff-command', causationId: null, time: '2026-12-07T17:00:00.123456Z' },
    { id: '0000-placed', causationId: null, time: '2026-12-07T17:00:00.123457Z' },
  ];
  t.deepEqual(ids(causalOrder(hops)), ['ffff-command', '0000-placed']);
  t.deepEqual(ids(causalOrder([...hops].reverse())), ['ffff-command', '0000-placed']);
});
