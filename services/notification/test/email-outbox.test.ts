import { newEnvelope } from '@orderly/events';
import { type RunningService, startService } from '@orderly/platform';
import { cleanupList, createTestEnv, operatorHeaders, publishEnvelope, testIssuer, waitFor } from '@orderly/platform/testing';
import test from 'ava';
import { definition } from '../src/service.js';
import { freePort, SmtpSink } from './smtp-sink.js';

/** The email outbox (decision 0028): retries with back-off, parking, the operator's retry, and two senders on one table. */
const cleanups = cleanupList();
test.after.always(() => cleanups.run());

const newEnv = async (name: string) => {
  const env = await createTestEnv(name);
  cleanups.add(() => env.cleanup());
  return env;
};
const newSink = async (port?: number) => {
  const sink = new SmtpSink();
  await sink.listen(port);
  cleanups.add(() => sink.close());
  return sink;
};
const confirmed = (email: string) => {
  const orderId = crypto.randomUUID();
  return newEnvelope('order', 'order.confirmed', orderId, { orderId, customerId: 'C1', email, totalCents: 1999, currency: 'EUR' });
};
const rowsOf = async (service: RunningService<unknown>) =>
  (
    await service.db.pool.query<{ email: string; status: string; attempts: number; last_error: string | null }>(
      'SELECT email, status, attempts, last_error FROM notifications ORDER BY email',
    )
  ).rows;
const counter = async (service: RunningService<unknown>, name: string) =>
  ((await service.metrics.registry.getSingleMetric(name)?.get())?.values ?? []).reduce((n, v) => n + v.value, 0);

test('when the SMTP server is down, then the email is tried again with back-off and sent once when it is back', async (t) => {
  const env = await newEnv('notification_email_down');
  const port = await freePort();
  const service = await startService(definition, {
    ...env.envFor('notification'),
    SMTP_URL: `smtp://127.0.0.1:${port}`,
    EMAIL_RETRY_BASE_MS: '200',
    EMAIL_RETRY_MAX_MS: '400',
    EMAIL_MAX_ATTEMPTS: '100',
  });
  cleanups.add(() => service.stop());
  await publishEnvelope(env, confirmed('c1@example.com'));

  const first = await waitFor(async () => (((await rowsOf(service))[0]?.attempts ?? 0) >= 1 ? Date.now() : undefined));
  await new Promise((r) => setTimeout(r, 2_000));
  const [waiting] = await rowsOf(service);
  t.is(waiting?.status, 'pending');
  t.regex(waiting?.last_error ?? '', /ECONNREFUSED/);
  // Back-off: 100–400 ms between attempts, so a handful in 2 s; without it, hundreds.
  t.true((waiting?.attempts ?? 0) >= 3 && (waiting?.attempts ?? 0) <= 15, `${waiting?.attempts} attempts in ${Date.now() - first} ms`);
  t.is(await counter(service, 'orderly_email_failures_total'), waiting?.attempts ?? -1);

  const smtp = await newSink(port);
  await waitFor(async () => (smtp.mails.length > 0 ? true : undefined));
  await new Promise((r) => setTimeout(r, 1_000));
  t.deepEqual(
    smtp.mails.map((m) => m.to),
    [['c1@example.com']],
  );
  t.like((await rowsOf(service))[0], { status: 'sent', last_error: null });
  t.is(await counter(service, 'orderly_emails_sent_total'), 1);
});

test('when the SMTP server refuses a recipient for good, then that email is parked with the reason, the others are sent, and an operator’s retry sends it', async (t) => {
  const env = await newEnv('notification_email_refused');
  const smtp = await newSink();
  smtp.refused.add('gone@example.com');
  const service = await startService(definition, { ...env.envFor('notification'), SMTP_URL: `smtp://127.0.0.1:${smtp.port}` });
  cleanups.add(() => service.stop());
  const base = `http://127.0.0.1:${service.port}/admin/emails`;
  for (const to of ['gone@example.com', 'ok@example.com']) await publishEnvelope(env, confirmed(to));

  const operator = await operatorHeaders();
  const parked = await waitFor(async () => {
    const body = (await (await fetch(`${base}/parked`, { headers: operator })).json()) as { parked: Record<string, unknown>[] };
    return body.parked.length > 0 ? body.parked : undefined;
  });
  t.is(parked.length, 1);
  t.like(parked[0], { email: 'gone@example.com', kind: 'order_confirmed', attempts: 1 });
  t.regex(String(parked[0]?.lastError), /^550 .*unavailable/, 'parked at the first permanent refusal, with the server’s answer');
  await waitFor(async () => (smtp.to('ok@example.com').length > 0 ? true : undefined));
  t.is(await counter(service, 'orderly_emails_parked_total'), 1);
  t.regex(await service.metrics.registry.getSingleMetricAsString('orderly_emails_parked'), /orderly_emails_parked\{[^}]*\} 1/);

  // Who may look and act: operators only.
  const customer = { authorization: `Bearer ${await (await testIssuer()).customer('C1')}` };
  t.is((await fetch(`${base}/parked`, { headers: customer })).status, 403);
  t.is((await fetch(`${base}/parked`)).status, 401);
  const id = String(parked[0]?.id);
  t.is((await fetch(`${base}/${id}/retry`, { method: 'POST', headers: customer })).status, 403);
  t.is((await fetch(`${base}/${crypto.randomUUID()}/retry`, { method: 'POST', headers: operator })).status, 404);
  t.is((await fetch(`${base}/not-an-id/retry`, { method: 'POST', headers: operator })).status, 400);
  t.is(smtp.to('gone@example.com').length, 0);

  smtp.refused.delete('gone@example.com');
  const retried = await fetch(`${base}/${id}/retry`, { method: 'POST', headers: operator });
  t.is(retried.status, 202);
  await waitFor(async () => (smtp.to('gone@example.com').length > 0 ? true : undefined));
  await new Promise((r) => setTimeout(r, 500));
  t.is(smtp.to('gone@example.com').length, 1);
  t.deepEqual(((await (await fetch(`${base}/parked`, { headers: operator })).json()) as { parked: unknown[] }).parked, []);
  t.is((await fetch(`${base}/${id}/retry`, { method: 'POST', headers: operator })).status, 404, 'a sent email is not parked');
});

test('when two notification processes share one database, then no email is sent twice', async (t) => {
  const env = await newEnv('notification_email_two');
  const smtp = await newSink();
  smtp.delayMs = 5;
  const vars = { ...env.envFor('notification'), SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, EMAIL_BATCH_SIZE: '10', EMAIL_SWEEP_MS: '100' };
  const [a, b] = await Promise.all([startService(definition, vars), startService(definition, { ...vars, PORT: '0' })]);
  cleanups.add(() => a.stop());
  cleanups.add(() => b.stop());
  // Rows both senders see come due at the same moment: each sleeps until then and claims.
  const n = 200;
  await a.db.pool.query(
    `INSERT INTO notifications (id, order_id, customer_id, email, kind, subject, body, channel, next_attempt_at)
     SELECT gen_random_uuid(), gen_random_uuid(), 'C1', 'n' || i || '@example.com', 'order_confirmed', 'S', 'B', 'email', now() + interval '1 second'
       FROM generate_series(1, $1::int) i`,
    [n],
  );
  await waitFor(async () => (smtp.mails.length >= n ? true : undefined), { timeoutMs: 30_000 });
  await new Promise((r) => setTimeout(r, 1_000));
  t.is(smtp.mails.length, n);
  t.is(new Set(smtp.mails.map((m) => m.to.join())).size, n);
  const [sentByA, sentByB] = [await counter(a, 'orderly_emails_sent_total'), await counter(b, 'orderly_emails_sent_total')];
  t.is(sentByA + sentByB, n);
  t.log(`sent by the first process ${sentByA}, by the second ${sentByB}`);
  t.true(sentByA > 0 && sentByB > 0, 'both took part');
});
