import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { allReady, deploymentReadiness, describeWaiting, rabbitmqClusterReadiness } from '../readiness.js';
import { formatLiveReport, livePassed } from '../report.js';
import { analyseConsumer, type Sample, watchDone } from '../scaling-watch.js';
import { judge, type OrderView, scenarios } from '../scenarios.js';

// Recorded API responses (fixtures/live): what the live tool reads from a cluster.
const fixture = <T>(name: string): T => JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8')) as T;
type List = { items: Parameters<typeof deploymentReadiness>[0][] };

test('a RabbitmqCluster is ready only when AllReplicasReady is True', (t) => {
  const [ready] = fixture<{ items: Parameters<typeof rabbitmqClusterReadiness>[0][] }>('rabbitmqclusters-ready.json').items;
  const [starting] = fixture<{ items: Parameters<typeof rabbitmqClusterReadiness>[0][] }>('rabbitmqclusters-starting.json').items;
  t.true(rabbitmqClusterReadiness(ready!).ready);
  t.deepEqual(rabbitmqClusterReadiness(starting!), {
    name: 'RabbitmqCluster/orderly-rabbitmq',
    ready: false,
    why: 'NotAllPodsReady: 1/3 Pods ready',
  });
  t.false(rabbitmqClusterReadiness({ metadata: { name: 'x' } }).ready);
});

test('Deployments mid-rollout are not ready, each with the reason', (t) => {
  const verdicts = fixture<List>('deployments-rolling.json').items.map(deploymentReadiness);
  t.deepEqual(
    verdicts.map((v) => [v.name, v.ready, v.why]),
    [
      ['Deployment/orderly-order', true, '2/2 available'],
      ['Deployment/orderly-inventory', false, '1 old replicas terminating'],
      ['Deployment/orderly-payment', false, '0/1 replicas available'],
      ['Deployment/orderly-notification', false, 'spec change not yet observed'],
    ],
  );
  t.false(allReady(verdicts));
  t.regex(describeWaiting(verdicts), /^waiting for Deployment\/orderly-inventory/);
  t.false(allReady([]));
});

test('the demo scenarios pass on the recorded polls, following each order through its statuses', (t) => {
  const polls = fixture<Record<string, OrderView[]>>('order-polls.json');
  const results = scenarios.map((s) => judge(s, polls[s.name] ?? []));
  t.true(results.every((r) => r.passed));
  t.deepEqual(results[0]!.path, ['PENDING', 'RESERVED', 'CONFIRMED']);
});

test('a wrong rejection reason, an order still pending and an order never read all fail', (t) => {
  const declined = scenarios.find((s) => s.expect.reason === 'payment_declined')!;
  t.is(
    judge(declined, [{ orderId: 'o', status: 'REJECTED', reason: 'out_of_stock' }]).detail,
    'expected REJECTED (payment_declined), got REJECTED (out_of_stock)',
  );
  t.is(judge(declined, [{ orderId: 'o', status: 'RESERVED' }]).detail, 'still RESERVED when polling gave up');
  t.false(judge(declined, []).passed);
  const normal = scenarios[0]!;
  t.true(judge(normal, [{ orderId: 'o', status: 'SHIPPED' }]).passed, 'shipped means it was confirmed');
});

test('replicas rising with the backlog and falling back after it drained pass, with timings', (t) => {
  const run = fixture<{ queueLengthTarget: number; samples: Sample[] }>('scaling-run.json');
  const inventory = analyseConsumer('inventory', run.samples, run.queueLengthTarget);
  t.like(inventory, {
    baselineReplicas: 1,
    peakReplicas: 4,
    finalReplicas: 1,
    peakDepth: 610,
    scaleUpAfter: 10,
    scaleDownAfter: 75,
    passed: true,
  });
  const notification = analyseConsumer('notification', run.samples, run.queueLengthTarget);
  t.like(notification, { rose: false, passed: true });
  t.regex(notification.note, /no scale-up was needed/);
  t.true(watchDone(run.samples, { inventory: 1, payment: 1, notification: 1, order: 2 }));
  t.false(
    watchDone(
      run.samples.filter((s) => s.t <= 60),
      { inventory: 1, payment: 1, notification: 1, order: 2 },
    ),
  );
});

test('a backlog that never brings a replica fails the scaling watch', (t) => {
  const run = fixture<{ queueLengthTarget: number; samples: Sample[] }>('scaling-stuck.json');
  const payment = analyseConsumer('payment', run.samples, run.queueLengthTarget);
  t.false(payment.passed);
  t.is(payment.note, 'backlog reached 400 but replicas stayed at 1');
  t.false(analyseConsumer('shipping', run.samples, 16).passed, 'no samples is a failure');
});

test('the report prints every check and fails when one failed', (t) => {
  const run = fixture<{ queueLengthTarget: number; samples: Sample[] }>('scaling-stuck.json');
  const report = {
    readiness: [{ name: 'Deployment/orderly-order', ready: true, why: '2/2 available' }],
    scenarios: [{ name: 'a normal order is confirmed', passed: true, detail: 'CONFIRMED', path: ['PENDING', 'CONFIRMED'] }],
    scaling: [analyseConsumer('payment', run.samples, run.queueLengthTarget)],
    orders: { sent: 3000, failed: 0, seconds: 125 },
  };
  const text = formatLiveReport(report);
  t.false(livePassed(report));
  t.regex(text, /✘ payment {7}1 → 1 → 1; depth ≤ 400/);
  t.true(text.endsWith('FAIL'));
});
