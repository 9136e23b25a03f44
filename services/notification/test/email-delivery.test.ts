import test from 'ava';
import { afterFailure, reasonOf } from '../src/domain/email-delivery.js';

const policy = { maxAttempts: 3, baseMs: 1_000, maxMs: 4_000 };
const refused = Object.assign(new Error("Can't send mail - all recipients were rejected"), {
  responseCode: 550,
  response: '550 mailbox unavailable',
});
const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:2525'), { code: 'ESOCKET' });

test('when the server refuses for good (5xx), then the email is parked at once with the server’s answer', (t) => {
  t.deepEqual(afterFailure(1, refused, policy), { status: 'parked', error: '550 mailbox unavailable' });
});

test('when the server is unreachable or answers 4xx, then the email waits, longer after each attempt, until its attempts are spent', (t) => {
  const busy = Object.assign(new Error('busy'), { responseCode: 421, response: '421 try later' });
  const top = () => 0.999_999;
  t.like(afterFailure(1, down, policy, top), { status: 'pending', delayMs: 1_000 });
  t.like(afterFailure(2, busy, policy, top), { status: 'pending', delayMs: 2_000, error: '421 try later' });
  t.like(
    afterFailure(1, down, policy, () => 0),
    { status: 'pending', delayMs: 500 },
    'jitter: between half and all of the ceiling',
  );
  t.like(afterFailure(3, down, policy), { status: 'parked', error: 'connect ECONNREFUSED 127.0.0.1:2525' });
});

test('when a server’s answer holds control characters or is huge, then the stored reason is one clean bounded line', (t) => {
  const hostile = Object.assign(new Error('x'), { responseCode: 554, response: `554 no\u0000\r\nX-Injected: yes${'a'.repeat(5_000)}` });
  const reason = reasonOf(hostile);
  t.false([...reason].some((c) => c.charCodeAt(0) < 0x20));
  t.true(reason.startsWith('554 no X-Injected: yes'));
  t.is(reason.length, 1_000);
});
