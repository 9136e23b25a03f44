import test from 'ava';
import { CloudEvent } from 'cloudevents';
import { envelopeSchema, envelopeTime, newEnvelope } from '../src/envelope.js';

test('when one process emits several messages in the same millisecond, then their times still increase in emission order', (t) => {
  const now = Date.parse('2026-12-07T17:00:00.123Z');
  const times = Array.from({ length: 5 }, () => envelopeTime(now));
  t.deepEqual([...times].sort(), times);
  t.is(new Set(times).size, times.length);
  t.regex(times[0]!, /^2026-12-07T17:00:00\.123\d{3}Z$/);
  // A clock that steps back does not reorder what follows either.
  t.true(envelopeTime(now - 5_000) > times.at(-1)!);
});

test('when an envelope is made, then the official CloudEvents SDK accepts it as a strict 1.0 event, with and without a cause', (t) => {
  const first = newEnvelope('order', 'order.placed', 'a0a0a0a0-0000-4000-8000-000000000001', { orderId: 'x' });
  const next = newEnvelope('inventory', 'inventory.reserved', first.subject, { orderId: 'x' }, first);
  for (const envelope of [first, next]) {
    t.true(envelopeSchema.safeParse(envelope).success);
    const event = new CloudEvent(envelope, true);
    t.true(event.validate());
    t.is(event.time, envelope.time, 'the microseconds survive');
  }
  t.is(next.causationid, first.id);
});
