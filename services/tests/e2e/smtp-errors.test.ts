import { once } from 'node:events';
import { newEnvelope } from '@orderly/events';
import { createTestEnv, publishRaw, type TestEnv, waitFor } from '@orderly/platform/testing';
import { type ServiceProcess, spawnService } from '@orderly/testkit';
import test from 'ava';
import { SMTPServer } from 'smtp-server';

/**
 * An SMTP server that refuses a recipient answers with the address in its
 * reply, which nodemailer puts in the error's message (and in `rejected`); the notification
 * service's logs (the real process, its stdout) must not carry it, on any attempt or when parked.
 * A 4xx reply is retried (decision 0028), a 5xx parks the email at once.
 */
let env: TestEnv;
let smtp: SMTPServer;
let service: ServiceProcess | undefined;

test.before(async () => {
  env = await createTestEnv('smtp_errors');
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onRcptTo(address, _session, callback) {
      const err = new Error(`<${address.address}>: Recipient address rejected: mailbox ${address.address} unavailable`) as Error & {
        responseCode: number;
      };
      err.responseCode = address.address.startsWith('busy.') ? 450 : 550;
      callback(err);
    },
  });
  smtp.listen(0, '127.0.0.1');
  await once(smtp.server, 'listening');
});
test.after.always(async () => {
  await service?.kill('SIGTERM');
  smtp?.close();
  await env?.cleanup();
});

test('when the SMTP server refuses the recipient, then the logs say so without the address', async (t) => {
  const { port } = smtp.server.address() as { port: number };
  service = await spawnService('notification', {
    ...env.envFor('notification'),
    SMTP_URL: `smtp://127.0.0.1:${port}`,
    SMTP_FROM: 'Shop <shop@example.com>',
    LOG_LEVEL: 'info',
    EMAIL_RETRY_BASE_MS: '100',
  });
  for (const recipient of ['refused.customer@example.org', 'busy.customer@example.org']) {
    const orderId = crypto.randomUUID();
    const confirmed = newEnvelope('order', 'order.confirmed', orderId, {
      orderId,
      customerId: 'C9',
      email: recipient,
      totalCents: 2598,
      currency: 'EUR',
    });
    await publishRaw(env, 'orderly.events', confirmed.type, JSON.stringify(confirmed), {
      type: confirmed.type,
      messageId: confirmed.id,
      as: 'order',
    });
  }
  const s = service;
  await waitFor(async () => (/email parked/.test(s.output()) && /will retry/.test(s.output()) ? true : undefined), {
    what: 'one email parked, the other retried',
  });
  const out = s.output();
  t.regex(out, /Recipient address rejected/, 'the error itself is logged');
  t.false(out.includes('@example.org'), 'the recipients are not');
  t.false(out.includes('refused.customer') || out.includes('busy.customer'), 'not even their local parts');
});
