import { newEnvelope } from '@orderly/events';
import { startService } from '@orderly/platform';
import {
  consumedCount,
  createTestEnv,
  drainQueue,
  operatorHeaders,
  publishEnvelope,
  type TestEnv,
  waitFor,
} from '@orderly/platform/testing';
import test from 'ava';
import { definition } from '../src/service.js';

// Found by the chaos run, orchestration: while faults held back the order.cancelled that
// names the customer, payment.refunded spent its attempts on "no recipient known yet" within
// seconds and was parked in notification.dlq: the customer was never told of the refund.

let env: TestEnv;
test.before(async () => {
  env = await createTestEnv('notification_refund_first');
});
test.after.always(() => env?.cleanup());

/** Notification with attempts that run out within a second, so waiting past them is quick to show. */
const startQuickRetries = (on: TestEnv, vars: Record<string, string> = {}) =>
  startService(definition, {
    ...on.envFor('notification'),
    RETRY_MAX_ATTEMPTS: '2',
    RETRY_BASE_DELAY_MS: '20',
    RETRY_MAX_DELAY_MS: '80',
    ...vars,
  });

test('when the refund arrives long before the event naming the customer, then it waits for it and the customer is told once', async (t) => {
  const service = await startQuickRetries(env);
  t.teardown(() => service.stop());
  const orderId = crypto.randomUUID();
  await publishEnvelope(
    env,
    newEnvelope('payment', 'payment.refunded', orderId, { orderId, paymentId: crypto.randomUUID(), amountCents: 1999, currency: 'EUR' }),
  );
  // Well past its two attempts before the order's cancellation shows up.
  await waitFor(async () => ((await consumedCount(service, { queue: 'notification', outcome: 'retry' })) >= 6 ? true : undefined), {
    timeoutMs: 20_000,
  });
  await publishEnvelope(
    env,
    newEnvelope('order', 'order.cancelled', orderId, { orderId, customerId: 'C7', email: 'c7@example.com', reason: 'customer_request' }),
  );

  const kinds = await waitFor(
    async () => {
      const res = await fetch(`http://127.0.0.1:${service.port}/notifications?orderId=${orderId}`, { headers: await operatorHeaders() });
      const stored = ((await res.json()) as { kind: string }[]).map((n) => n.kind).sort();
      return stored.length === 2 ? stored : undefined;
    },
    { timeoutMs: 20_000 },
  );
  t.deepEqual(kinds, ['order_cancelled', 'payment_refunded']);
  t.deepEqual(await drainQueue(env, 'notification.dlq'), []);
});

test('when the event naming the customer never comes, then the refund is parked after NOT_YET_MAX_WAIT_MS with its reason', async (t) => {
  // Found by the hostile-input suite: without a bound, an orphan (or forged) refund waited for ever.
  // A vhost of its own: the other test's instance must not take this message.
  const own = await createTestEnv('notification_orphan_refund');
  t.teardown(() => own.cleanup());
  const service = await startQuickRetries(own, { NOT_YET_MAX_WAIT_MS: '1500' });
  t.teardown(() => service.stop());
  const orderId = crypto.randomUUID();
  await publishEnvelope(
    own,
    newEnvelope('payment', 'payment.refunded', orderId, { orderId, paymentId: crypto.randomUUID(), amountCents: 1999, currency: 'EUR' }),
  );
  await waitFor(async () => ((await consumedCount(service, { queue: 'notification', outcome: 'dead_letter' })) >= 1 ? true : undefined), {
    timeoutMs: 20_000,
  });
  const parked = await drainQueue(own, 'notification.dlq');
  t.is(parked.length, 1);
  t.regex(String(parked[0]?.headers['x-orderly-error']), /waited \d+ ms: .*no recipient known yet/);
  t.true((await consumedCount(service, { queue: 'notification', outcome: 'retry' })) > 2, 'it waited past its attempts first');
});
