import test from 'ava';
import { applies, canCancel, isDecided, judge, type Status, statuses } from '../src/domain/status.js';

/** Every transition that applies; every other pair is ignored. */
const allowed: Record<Status, Status[]> = {
  PENDING: ['RESERVED', 'REJECTED', 'CANCELLED'],
  RESERVED: ['CONFIRMED', 'REJECTED', 'CANCELLED'],
  CONFIRMED: ['SHIPPED', 'CANCELLED'],
  SHIPPED: ['DELIVERED'],
  DELIVERED: [],
  REJECTED: [],
  CANCELLED: [],
};

for (const current of statuses) {
  for (const next of statuses) {
    const expected = allowed[current].includes(next);
    test(`when an order is ${current} and ${next} arrives, then it ${expected ? 'applies' : 'is ignored'}`, (t) => {
      t.is(applies(current, next), expected);
    });
  }
}

test('when the same status arrives twice, then the second is ignored', (t) => {
  for (const s of statuses) t.false(applies(s, s), s);
});

test('when RESERVED arrives after CONFIRMED, then the order stays CONFIRMED', (t) => {
  t.false(applies('CONFIRMED', 'RESERVED'));
});

test('when the payment arrives before the reservation event, then CONFIRMED waits for RESERVED (never skips it)', (t) => {
  t.false(applies('PENDING', 'CONFIRMED'));
  t.is(judge('PENDING', 'CONFIRMED'), 'early');
  t.is(judge('RESERVED', 'SHIPPED'), 'early');
  t.is(judge('CONFIRMED', 'DELIVERED'), 'early');
  t.is(judge('SHIPPED', 'CONFIRMED'), 'stale');
});

test('when an order has shipped, then the customer can no longer cancel it', (t) => {
  t.deepEqual(
    statuses.filter((s) => canCancel(s)),
    ['PENDING', 'RESERVED', 'CONFIRMED'],
  );
});

test('when an order is past RESERVED, then the saga has decided it', (t) => {
  t.deepEqual(
    statuses.filter((s) => isDecided(s)),
    ['CONFIRMED', 'SHIPPED', 'DELIVERED', 'REJECTED', 'CANCELLED'],
  );
});
