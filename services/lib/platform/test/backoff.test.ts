import test from 'ava';
import { backoffDelay } from '../src/backoff.js';

const lowest = () => 0;
const highest = () => 0.999_999_999;

test('when attempts follow each other, then the ceiling doubles per attempt', (t) => {
  t.deepEqual(
    [1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, 500, 1_000_000, highest)),
    [500, 1000, 2000, 4000, 8000],
  );
});

test('when the random draw is lowest, then the wait is half the ceiling', (t) => {
  t.deepEqual(
    [1, 2, 3].map((attempt) => backoffDelay(attempt, 500, 1_000_000, lowest)),
    [250, 500, 1000],
  );
});

test('when the random draw is in the middle, then the wait is three quarters of the ceiling', (t) => {
  t.is(
    backoffDelay(3, 400, 1_000_000, () => 0.5),
    1200,
  );
});

test('when attempts go on, then the wait never exceeds the maximum and stays within [max/2, max]', (t) => {
  for (let attempt = 1; attempt <= 60; attempt++) {
    for (const random of [lowest, () => 0.5, highest, Math.random]) {
      const delay = backoffDelay(attempt, 500, 10_000, random);
      const ceiling = Math.min(10_000, 500 * 2 ** (attempt - 1));
      t.true(delay >= ceiling / 2 && delay <= ceiling, `attempt ${attempt}: ${delay}`);
    }
  }
  t.is(backoffDelay(100, 500, 10_000, highest), 10_000);
  t.is(backoffDelay(100, 500, 10_000, lowest), 5000);
});

test('when no random source is given, then the waits of one attempt are spread, not all the same', (t) => {
  const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(5, 500, 100_000)));
  t.true(delays.size > 1);
});
