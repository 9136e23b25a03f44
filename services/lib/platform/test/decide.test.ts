import test from 'ava';
import { afterFailure } from '../src/inbound/decide.js';
import { PermanentError } from '../src/inbound/parse-event.js';

const at = (attempt: number, more: Partial<Parameters<typeof afterFailure>[1]> = {}) => ({
  attempt,
  maxAttempts: 3,
  outage: false,
  notYet: false,
  waitingSince: 1_000,
  now: 1_000,
  notYetMaxWaitMs: 60_000,
  ...more,
});

test('when a handler fails, then it is retried with the next attempt until the last, then parked', (t) => {
  t.like(afterFailure(new Error('boom'), at(1)), { park: false, nextAttempt: 2, delayAttempt: 1 });
  t.like(afterFailure(new Error('boom'), at(3)), { park: true });
  t.like(afterFailure(new PermanentError('bad'), at(1)), { park: true });
});

test('when the database is out, then the message waits the longest back-off without spending an attempt, even at the last', (t) => {
  t.like(afterFailure(new Error('down'), at(3, { outage: true })), { park: false, nextAttempt: 3, delayAttempt: 3 });
});

test('when the message a handler needs has not come, then it waits, and is parked once it has waited too long', (t) => {
  t.like(afterFailure(new Error('later'), at(1, { outage: true, notYet: true })), { park: false, waitingSince: 1_000 });
  const parked = afterFailure(new Error('later'), at(1, { outage: true, notYet: true, now: 61_000 }));
  t.true(parked.park);
  t.regex(parked.park ? parked.error.message : '', /^waited 60000 ms: Error: later/);
});
