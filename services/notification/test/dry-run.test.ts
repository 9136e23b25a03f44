import { newEnvelope } from '@orderly/events';
import { cleanupList, operatorHeaders, publishEnvelope, type TestEnv, waitFor } from '@orderly/platform/testing';
import test from 'ava';
import { notificationWithSink, type SmtpSink } from './smtp-sink.js';

/** A dry run on the notification service: an order outcome dry-run stores nothing and so mails nothing; a real delivery does. */
const cleanups = cleanupList();
let env: TestEnv;
let port: number;
// A real SMTP server: what a dry run must never talk to.
let smtp: SmtpSink;

test.before(async () => {
  const started = await notificationWithSink('notification_dry_run', cleanups);
  ({ env, smtp } = started);
  port = started.service.port;
});
test.after.always(() => cleanups.run());

const dryRun = async (queue: string, message: object, publisher: string) => {
  const res = await fetch(`http://127.0.0.1:${port}/admin/dry-run`, {
    method: 'POST',
    headers: { ...(await operatorHeaders()), 'content-type': 'application/json' },
    body: JSON.stringify({ queue, body: JSON.stringify(message), headers: { 'x-orderly-published-by': `${env.vhost}.${publisher}` } }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

test.serial('when an order outcome is dry-run, then no mail is sent and nothing is stored; delivered for real, it is mailed', async (t) => {
  const orderId = crypto.randomUUID();
  const confirmed = newEnvelope('order', 'order.confirmed', orderId, {
    orderId,
    customerId: 'C9',
    email: 'c9@example.com',
    totalCents: 2598,
    currency: 'EUR',
  });
  const res = await dryRun('notification', confirmed, 'order');
  t.is(res.status, 200);
  t.deepEqual(res.body, { outcome: 'would-succeed', emitted: [] });
  await new Promise((r) => setTimeout(r, 1_000));
  t.deepEqual(smtp.mails, [], 'no mail');
  const stored = await fetch(`http://127.0.0.1:${port}/notifications?orderId=${orderId}`, { headers: await operatorHeaders() });
  t.deepEqual(await stored.json(), []);

  // The control: the same message through the broker is mailed, so the server above does hear the service.
  await publishEnvelope(env, confirmed);
  await waitFor(async () => (smtp.mails.length > 0 ? true : undefined));
  t.deepEqual(
    smtp.mails.map((m) => m.to),
    [['c9@example.com']],
  );
});

test.serial(
  'when a refund for an order it has not seen is dry-run, then the answer says a redrive would wait for it, spending nothing',
  async (t) => {
    const orderId = crypto.randomUUID();
    const refund = newEnvelope('payment', 'payment.refunded', orderId, {
      orderId,
      paymentId: crypto.randomUUID(),
      amountCents: 1999,
      currency: 'EUR',
    });
    const res = await dryRun('notification', refund, 'payment');
    t.is(res.status, 200);
    t.like(res.body, { outcome: 'would-fail', next: 'waits' });
    t.regex(String(res.body.error), /^NotYetError: no recipient known yet/);
  },
);

test.serial('when a dry run names the email queue that is gone, then the answer is 404', async (t) => {
  // Email leaves from the service's own table now (decision 0028): there is no queue to dry-run it on.
  const res = await dryRun('notification.email', confirmedOf(crypto.randomUUID()), 'notification');
  t.is(res.status, 404);
});

const confirmedOf = (orderId: string) =>
  newEnvelope('order', 'order.confirmed', orderId, { orderId, customerId: 'C9', email: 'c9@example.com', totalCents: 1, currency: 'EUR' });
