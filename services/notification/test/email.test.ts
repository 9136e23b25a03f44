import { once } from 'node:events';
import { newEnvelope } from '@orderly/events';
import { startService } from '@orderly/platform';
import { createTestEnv, operatorHeaders, publishRaw, type TestEnv, waitFor } from '@orderly/platform/testing';
import test from 'ava';
import { SMTPServer } from 'smtp-server';
import { definition } from '../src/service.js';

interface Received {
  from: string;
  to: string[];
  raw: string;
}

let env: TestEnv;
let smtp: SMTPServer;
const mails: Received[] = [];

test.before(async () => {
  env = await createTestEnv('notification_email');
  // A real SMTP server in the test: what the notification service would talk to in production.
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, done) {
      let raw = '';
      stream.on('data', (c) => {
        raw += c;
      });
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
        });
        done();
      });
    },
  });
  smtp.listen(0, '127.0.0.1');
  await once(smtp.server, 'listening');
});
test.after.always(async () => {
  smtp?.close();
  await env?.cleanup();
});

test('when SMTP_URL is set, then each customer-visible outcome is mailed once to the customer', async (t) => {
  const { port } = smtp.server.address() as { port: number };
  const service = await startService(definition, {
    ...env.envFor('notification'),
    SMTP_URL: `smtp://127.0.0.1:${port}`,
    SMTP_FROM: 'Shop <shop@example.com>',
  });
  t.teardown(() => service.stop());
  const orderId = crypto.randomUUID();
  const confirmed = newEnvelope('order', 'order.confirmed', orderId, {
    orderId,
    customerId: 'C9',
    email: 'c9@example.com',
    totalCents: 2598,
    currency: 'EUR',
  });
  // Delivered twice, as a broker may: still one mail.
  for (let i = 0; i < 2; i++) {
    await publishRaw(env, 'orderly.events', confirmed.type, JSON.stringify(confirmed), {
      type: confirmed.type,
      messageId: confirmed.id,
      as: 'order',
    });
  }
  await waitFor(async () => (mails.length >= 1 ? true : undefined));
  await new Promise((r) => setTimeout(r, 500));
  t.is(mails.length, 1);
  t.deepEqual(mails[0]?.to, ['c9@example.com']);
  t.is(mails[0]?.from, 'shop@example.com');
  t.regex(mails[0]?.raw ?? '', /Subject: Your order [0-9a-f]{8} is confirmed/);
  t.regex(mails[0]?.raw ?? '', /=E2=82=AC25\.98/, 'the amount, € in quoted-printable');
  // The stored log has it too, written where the message was composed.
  const res = await fetch(`http://127.0.0.1:${service.port}/notifications?orderId=${orderId}`, { headers: await operatorHeaders() });
  const stored = (await res.json()) as { kind: string }[];
  t.deepEqual(
    stored.map((n) => n.kind),
    ['order_confirmed'],
  );
});
