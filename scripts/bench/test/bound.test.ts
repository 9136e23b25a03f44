import test from 'ava';
import { achievedFraction, computeBound } from '../bound.ts';

test('when PostgreSQL allows fewer orders than the broker, then it is the bound', (t) => {
  const b = computeBound({ pgTxPerSec: 6000, commitsPerOrder: 20, brokerMsgsPerSec: 12000, deliveriesPerOrder: 30 });
  t.is(b.byPostgres, 300);
  t.is(b.byBroker, 400);
  t.is(b.ordersPerSec, 300);
  t.is(b.limitedBy, 'postgres');
  t.is(achievedFraction(150, b), 0.5);
});

test('when the broker allows fewer orders, then it is the bound', (t) => {
  const b = computeBound({ pgTxPerSec: 10000, commitsPerOrder: 10, brokerMsgsPerSec: 3000, deliveriesPerOrder: 15 });
  t.is(b.ordersPerSec, 200);
  t.is(b.limitedBy, 'broker');
});

test('when a per-order count is zero (nothing measured), then that side does not bound and the fraction is 0 if neither does', (t) => {
  const b = computeBound({ pgTxPerSec: 5000, commitsPerOrder: 0, brokerMsgsPerSec: 3000, deliveriesPerOrder: 10 });
  t.is(b.byPostgres, Number.POSITIVE_INFINITY);
  t.is(b.ordersPerSec, 300);
  const none = computeBound({ pgTxPerSec: 5000, commitsPerOrder: 0, brokerMsgsPerSec: 3000, deliveriesPerOrder: 0 });
  t.is(achievedFraction(100, none), 0);
});
