import { newEnvelope } from '@orderly/events';
import { cleanupList, operatorHeaders, publishEnvelope, waitFor } from '@orderly/platform/testing';
import test from 'ava';
import { notificationWithSink } from './smtp-sink.js';

const cleanups = cleanupList();
test.after.always(() => cleanups.run());

test('when SMTP_URL is set, then each customer-visible outcome is mailed once to the customer at once, also when delivered twice', async (t) => {
  // A sweep every 10 minutes: what is sent within the test was woken by the commit that stored it.
  const { env, smtp, service } = await notificationWithSink('notification_email', cleanups, {
    SMTP_FROM: 'Shop <shop@example.com>',
    EMAIL_SWEEP_MS: '600000',
  });
  const [a, b, c] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
  const customer = (orderId: string) => ({ orderId, customerId: 'C9', email: 'c9@example.com' });
  const shipment = { shipmentId: crypto.randomUUID(), carrier: 'DHL', trackingNumber: 'T1' };
  const outcomes = [
    newEnvelope('order', 'order.confirmed', a, { ...customer(a), totalCents: 2598, currency: 'EUR' }),
    newEnvelope('order', 'order.shipped', a, { ...customer(a), carrier: shipment.carrier, trackingNumber: shipment.trackingNumber }),
    newEnvelope('order', 'order.delivered', a, customer(a)),
    newEnvelope('order', 'order.rejected', b, { ...customer(b), reason: 'out_of_stock' }),
    newEnvelope('order', 'order.cancelled', c, { ...customer(c), reason: 'customer_request' }),
    newEnvelope('payment', 'payment.refunded', c, { orderId: c, paymentId: crypto.randomUUID(), amountCents: 1999, currency: 'EUR' }),
  ];
  // Each delivered twice, as a broker may: still one mail each.
  for (const envelope of [...outcomes, ...outcomes]) await publishEnvelope(env, envelope);

  await waitFor(async () => (smtp.mails.length >= outcomes.length ? true : undefined), { timeoutMs: 20_000 });
  await new Promise((r) => setTimeout(r, 1_000));
  const subjects = smtp.mails.map((m) => (/Subject: (.*)/.exec(m.raw)?.[1] ?? '').replace(/[0-9a-f]{8}/, 'ID')).sort();
  t.is(smtp.mails.length, outcomes.length, subjects.join('\n'));
  t.deepEqual(subjects, [
    'Refund for order ID',
    'We could not accept your order ID',
    'Your order ID is cancelled',
    'Your order ID is confirmed',
    'Your order ID is on its way',
    'Your order ID was delivered',
  ]);
  t.true(smtp.mails.every((m) => m.from === 'shop@example.com' && m.to.join() === 'c9@example.com'));
  const confirmedMail = smtp.mails.find((m) => m.raw.includes('is confirmed'));
  t.regex(confirmedMail?.raw ?? '', /=E2=82=AC25\.98/, 'the amount, € in quoted-printable');

  // The stored log has them too, each marked sent (the row is the email's outbox).
  const res = await fetch(`http://127.0.0.1:${service.port}/notifications?customerId=C9`, { headers: await operatorHeaders() });
  t.is(((await res.json()) as unknown[]).length, outcomes.length);
  const { rows } = await service.db.pool.query<{ status: string; attempts: number; n: number }>(
    'SELECT status, attempts, count(*) AS n FROM notifications GROUP BY 1, 2',
  );
  t.deepEqual(rows, [{ status: 'sent', attempts: 1, n: outcomes.length }]);
});
