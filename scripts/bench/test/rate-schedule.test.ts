import test from 'ava';
import { type BacklogSample, highestSustained, judgeBacklog } from '../backlog.ts';
import { dueBy, intendedOffsetMs, msUntilNext, schedule } from '../rate-schedule.ts';

test('when the rate is 100/s for 2 s, then 200 orders are due 10 ms apart, the first at once', (t) => {
  const s = schedule(100, 2000);
  t.is(s.total, 200);
  t.is(intendedOffsetMs(s, 0), 0);
  t.is(intendedOffsetMs(s, 1), 10);
  t.is(intendedOffsetMs(s, 199), 1990);
  t.is(dueBy(s, 0), 1);
  t.is(dueBy(s, 9.99), 1);
  t.is(dueBy(s, 10), 2);
  t.is(dueBy(s, 1000), 101);
  t.is(dueBy(s, 60_000), 200);
  t.is(dueBy(s, -1), 0);
});

test('when the sender stalled, then every overdue order is due at once (no coordinated omission)', (t) => {
  const s = schedule(400, 1000);
  // 1 order sent, then a 100 ms stall: 40 more are due immediately, each with its own intended time.
  t.is(dueBy(s, 100) - 1, 40);
  t.is(msUntilNext(s, 1, 100), 0);
  t.is(intendedOffsetMs(s, 40), 100);
});

test('when the next order is not due yet, then the wait is the time until its intended send', (t) => {
  const s = schedule(50, 1000);
  t.is(msUntilNext(s, 1, 5), 15);
  t.is(msUntilNext(s, s.total, 5), Number.POSITIVE_INFINITY);
});

test('when the rate or duration is not positive, then schedule refuses it', (t) => {
  t.throws(() => schedule(0, 1000), { instanceOf: RangeError });
  t.throws(() => schedule(10, -1), { instanceOf: RangeError });
});

const at = (atMs: number, sent: number, decided: number): BacklogSample => ({ atMs, sent, decided });

test('when the backlog stays flat and the decided rate keeps up, then the step is sustained', (t) => {
  const v = judgeBacklog(100, at(5000, 500, 497), at(10000, 1000, 996), 0);
  t.true(v.sustained);
  t.is(v.growth, 1);
  t.is(v.decidedRateSecondHalf, 99.8);
});

test('when the backlog grows between the middle and the end, then the step is not sustained', (t) => {
  const v = judgeBacklog(400, at(5000, 2000, 1800), at(10000, 4000, 3300), 0);
  t.false(v.sustained);
  t.is(v.growth, 500);
  t.regex(v.why, /backlog grew by 500/);
});

test('when orders failed, then the step is not sustained even with a flat backlog', (t) => {
  t.false(judgeBacklog(50, at(5000, 250, 250), at(10000, 500, 500), 3).sustained);
});

test('highest sustained is the highest rate whose step held, or 0', (t) => {
  const ok = judgeBacklog(50, at(5000, 250, 250), at(10000, 500, 500), 0);
  const bad = judgeBacklog(400, at(5000, 2000, 1000), at(10000, 4000, 1500), 0);
  t.is(
    highestSustained([
      { rate: 50, verdict: ok },
      { rate: 100, verdict: ok },
      { rate: 400, verdict: bad },
    ]),
    100,
  );
  t.is(highestSustained([{ rate: 400, verdict: bad }]), 0);
});
