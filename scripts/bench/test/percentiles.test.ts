import test from 'ava';
import { quantile, summarize } from '../percentiles.ts';

test('when there are 100 samples 1..100, then p50 is 50, p95 is 95, p99 is 99 (nearest rank)', (t) => {
  const samples = Array.from({ length: 100 }, (_, i) => 100 - i); // unsorted on purpose
  const s = summarize(samples);
  t.deepEqual([s.count, s.p50, s.p95, s.p99, s.max, s.mean], [100, 50, 95, 99, 100, 50.5]);
});

test('when there is one slow order among many, then p99 shows it only once it is ≥ 1 % of them', (t) => {
  const fast = Array.from({ length: 99 }, () => 10);
  t.is(summarize([...fast, 1000]).p99, 10);
  t.is(summarize([...fast, 1000, 1000]).p99, 1000);
  t.is(summarize([...fast, 1000]).max, 1000);
});

test('when there are no samples, then every statistic is NaN', (t) => {
  const s = summarize([]);
  t.is(s.count, 0);
  t.true([s.p50, s.p99, s.max, s.mean].every(Number.isNaN));
});

test('when q is 0 or 1, then quantile gives the smallest and the largest sample', (t) => {
  t.is(quantile([1, 2, 3], 0), 1);
  t.is(quantile([1, 2, 3], 1), 3);
  t.throws(() => quantile([1], 1.5), { instanceOf: RangeError });
});

test('when samples are fractional milliseconds, then they sort numerically, not as strings', (t) => {
  t.is(summarize([9.5, 10.25, 100, 2]).p50, 9.5);
});
