import { once } from 'node:events';
import { newEnvelope } from '@orderly/events';
import { createTestEnv, publishRaw, type TestEnv, waitFor } from '@orderly/platform/testing';
import { type ServiceProcess, spawnService } from '@orderly/testkit';
import test from 'ava';
import { SMTPServer } from 'smtp-server';

/**
 * Issue 14, finding 5: an SMTP server that refuses a recipient answers with the address in its
 * reply, which nodemailer puts in the error's message (and in `rejected`); the notification
 * service's logs (the real process, its stdout) must not carry it, on any attempt or when parked.
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
      err.responseCode = 550;
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
    RETRY_MAX_ATTEMPTS: '2',
  });
  const orderId = crypto.randomUUID();
  const recipient = 'refused.customer@example.org';
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
  const s = service;
  await waitFor(async () => (/message dead-lettered/.test(s.output()) ? true : undefined), { what: 'the email parked after its attempts' });
  const out = s.output();
  t.regex(out, /handler failed; will retry/);
  t.regex(out, /Recipient address rejected/, 'the error itself is logged');
  t.false(out.includes(recipient), 'the recipient is not');
  t.false(out.includes('refused.customer'), 'not even its local part');
});
