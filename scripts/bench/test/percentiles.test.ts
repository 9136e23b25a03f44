import test from 'ava';
import { summarize } from '../percentiles.ts';

/** Within the histogram's 3 significant digits. */
const near = (actual: number, expected: number) => Math.abs(actual - expected) <= expected * 0.001;

test('when there are 100 samples 1..100 ms, then p50, p95 and p99 are the 50th, 95th and 99th smallest', (t) => {
  const s = summarize(Array.from({ length: 100 }, (_, i) => 100 - i)); // unsorted on purpose
  t.is(s.count, 100);
  for (const [got, want] of [
    [s.p50, 50],
    [s.p95, 95],
    [s.p99, 99],
    [s.max, 100],
    [s.mean, 50.5],
  ] as const) {
    t.true(near(got, want), `${got} ≉ ${want}`);
  }
});

test('when there is one slow order among many, then p99 shows it only once it is ≥ 1 % of them', (t) => {
  const fast = Array.from({ length: 99 }, () => 10);
  t.true(near(summarize([...fast, 1000]).p99, 10));
  t.true(near(summarize([...fast, 1000, 1000]).p99, 1000));
  t.is(summarize([...fast, 1000]).max, 1000);
});

test('when samples are fractions of a millisecond, then they keep their microseconds', (t) => {
  const s = summarize([0.25, 0.25, 9.5, 10.25]);
  t.is(s.p50, 0.25);
  t.true(near(s.max, 10.25));
});

test('when there are no samples, then every statistic is NaN', (t) => {
  const s = summarize([]);
  t.is(s.count, 0);
  t.true([s.p50, s.p95, s.p99, s.max, s.mean].every(Number.isNaN));
});
