import { orderlyHeaders, retryExchange, retryQueue } from '@orderly/events';
import amqp from 'amqplib';
import test from 'ava';
import { Consumer } from '../src/inbound/consumer.js';
import { brokerIdentity } from '../src/inbound/identity.js';
import type { createMetrics } from '../src/metrics.js';
import { startService } from '../src/service.js';
import { createTestEnv, drainQueue, publishRaw, type TestEnv, takeMessages, waitFor } from '../src/testing/index.js';
import { Database } from '../src/transaction/transaction.js';
import { auditConnections } from './fixture/audit-connections.js';
import { confirmedEvent, consumerService, recorder } from './fixture/service.js';

/**
 * Decision 0011: the console sends a parked message back to its queue through the queue's own
 * retry exchange with the attempt reset and the original publisher named. The consumer believes
 * those headers only when the copy's broker-verified user_id is the configured redrive user (or its
 * own); the same copy from anyone else is treated as any message from that user. Decision 0024:
 * and only when the consumer parked exactly those bytes from that publisher — the console's broker
 * credentials alone cannot make a message up.
 */
const cleanups: (() => Promise<unknown>)[] = [];
test.after.always(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

const queue = 'audit';
const maxAttempts = 2;

/** A consumer of the audit queue as the platform runs it, with or without a redrive user. */
async function consumerUnderTest(
  name: string,
  redrive: boolean,
  fail?: (n: number) => Error | undefined,
  beforeConsuming: (e: TestEnv) => Promise<void> = async () => {},
) {
  const e = await createTestEnv(name);
  cleanups.push(() => e.cleanup());
  // The fixture's producer declares the topology and migrates the schema (inbox, effects).
  const owner = await startService(consumerService(), e.envFor('order'));
  cleanups.push(() => owner.stop());
  await beforeConsuming(e);
  const { logger, metrics, url, broker, publisher, pool } = await auditConnections(e, name);
  cleanups.push(() => broker.close());
  cleanups.push(() => pool.end());
  const rec = recorder(fail);
  const consumer = new Consumer(
    {
      queue,
      handlers: { '*': rec.handler },
      prefetch: 4,
      retry: { maxAttempts, baseDelayMs: 20, maxDelayMs: 50, notYetMaxWaitMs: 60_000 },
      maxMessageBytes: 1_048_576,
      identity: brokerIdentity(url, 'audit'),
      ...(redrive ? { redriveUser: `${e.vhost}.console` } : {}),
    },
    new Database(pool, 'audit'),
    publisher,
    metrics,
    logger,
  );
  await consumer.attach(broker);
  cleanups.push(() => consumer.stop());
  const effects = async () => (await pool.query('SELECT count(*)::int AS n FROM effects')).rows[0].n as number;
  return { e, metrics, calls: rec.calls, effects };
}

/**
 * What the console publishes for a redrive: a parked body back through the queue's retry exchange,
 * the attempt it names, the publisher it names; `as` a broker user.
 */
async function redrive(e: TestEnv, as: string, body: string, { attempt = 1, publishedBy = `${e.vhost}.order` } = {}) {
  const url = e.amqpUrlFor(as);
  const conn = await amqp.connect(url);
  try {
    const ch = await conn.createConfirmChannel();
    ch.publish(retryExchange(queue), retryQueue(queue), Buffer.from(body), {
      persistent: true,
      type: 'order.confirmed',
      messageId: (JSON.parse(body) as { id: string }).id,
      userId: decodeURIComponent(new URL(url).username),
      expiration: '0',
      headers: { [orderlyHeaders.attempt]: attempt, [orderlyHeaders.publishedBy]: publishedBy, [orderlyHeaders.redrives]: 1 },
    });
    await ch.waitForConfirms();
  } finally {
    await conn.close();
  }
}

/** What the consumer parked in audit.dlq, once something is there. */
const parkedIn = (e: TestEnv) => takeMessages(e, 'audit.dlq', 1, { what: 'a message parked in audit.dlq' });

/** An order.confirmed from its producer, straight into the audit queue, parked by the consumer once its attempts are spent. */
async function parkedByTheConsumer(e: TestEnv): Promise<string> {
  const event = confirmedEvent();
  await publishRaw(e, '', queue, JSON.stringify(event), { as: 'order', type: event.type, messageId: event.id });
  const [parked] = await parkedIn(e);
  return parked!.raw;
}

const counted = async (metrics: ReturnType<typeof createMetrics>, outcome: string) =>
  (await metrics.consumed.get()).values.filter((v) => v.labels.outcome === outcome).reduce((n, v) => n + v.value, 0);

test('when the redrive user sends a parked message back at attempt 1, then it is retried from the start and handled as from its producer', async (t) => {
  // Parked after its two attempts; then it fails once more after the fix, as a message parked for a reason might.
  const { e, metrics, calls } = await consumerUnderTest('redrive-trusted', true, (n) =>
    n <= 3 ? new Error('still warming up') : undefined,
  );
  const body = await parkedByTheConsumer(e);
  t.is(calls(), maxAttempts);
  await redrive(e, 'console', body);
  await waitFor(async () => ((await counted(metrics, 'ack')) === 1 ? true : undefined), { what: 'the redriven copy handled' });
  t.is(calls(), maxAttempts + 2, 'the first attempt failed and was retried, not parked');
  t.is(await counted(metrics, 'retry'), 2);
  t.deepEqual(await drainQueue(e, 'audit.dlq'), []);
});

test('when the redrive user names the last attempt, then it is believed: one more failure parks it, keeping its redrive count', async (t) => {
  const { e, metrics, calls } = await consumerUnderTest('redrive-attempt', true, () => new Error('broken'));
  const body = await parkedByTheConsumer(e);
  const retries = await counted(metrics, 'retry');
  await redrive(e, 'console', body, { attempt: maxAttempts });
  const parked = await parkedIn(e);
  t.is(calls(), maxAttempts + 1);
  t.is(await counted(metrics, 'retry'), retries);
  t.is(parked[0]?.headers[orderlyHeaders.attempts], maxAttempts);
  t.is(parked[0]?.headers[orderlyHeaders.redrives], 1);
  t.is(parked[0]?.headers[orderlyHeaders.publishedBy], `${e.vhost}.order`, 'the original publisher, not the console');
  t.is(parked[0]?.headers[orderlyHeaders.refusedRedrive], undefined);
});

test('when the redrive user sends a message the consumer never parked, or a parked one altered, then it is refused and parked as its own, never handled', async (t) => {
  const { e, metrics, calls } = await consumerUnderTest('redrive-made-up', true, (n) =>
    n <= maxAttempts ? new Error('broken') : undefined,
  );
  const genuine = await parkedByTheConsumer(e);
  const made = JSON.stringify(confirmedEvent());
  const altered = genuine.replace('"totalCents":1999', '"totalCents":1');
  t.not(altered, genuine);
  for (const [body, publishedBy] of [
    [made, `${e.vhost}.order`],
    [altered, `${e.vhost}.order`],
    [genuine, `${e.vhost}.payment`],
  ] as const) {
    await redrive(e, 'console', body, { publishedBy });
    const [refused] = await parkedIn(e);
    t.regex(
      String(refused?.headers[orderlyHeaders.error]),
      /^PermanentError: refused: a copy redriven by .*\.console is believed only when it is a message this queue parked/,
    );
    t.is(refused?.headers[orderlyHeaders.refusedRedrive], publishedBy, 'marked refused, with the publisher it claimed');
    t.is(
      refused?.headers[orderlyHeaders.publishedBy],
      `${e.vhost}.console`,
      'parked as from whoever sent it: a redrive of it is refused again',
    );
  }
  // A claim of 60 kB (what a hostile sender may write) is cut in the parked copy's mark, which stays publishable.
  await redrive(e, 'console', made, { publishedBy: 'x'.repeat(60_000) });
  const [huge] = await parkedIn(e);
  t.is(huge?.headers[orderlyHeaders.refusedRedrive], 'x'.repeat(200));
  t.is(calls(), maxAttempts, 'none was handled');
  // The genuine one still returns, once.
  await redrive(e, 'console', genuine);
  await waitFor(async () => ((await counted(metrics, 'ack')) === 1 ? true : undefined), { what: 'the genuine redrive handled' });
  t.is(calls(), maxAttempts + 1);
});

test('when another service sends the same copy, or no redrive user is configured, then its headers are not believed: refused as from whoever published it', async (t) => {
  const trusting = await consumerUnderTest('redrive-forged', true, () => new Error('broken'));
  const body = await parkedByTheConsumer(trusting.e);
  await redrive(trusting.e, 'payment', body);
  const forged = await parkedIn(trusting.e);
  t.regex(String(forged[0]?.headers[orderlyHeaders.error]), new RegExp(`was published by ${trusting.e.vhost}\\.payment`));
  t.is(trusting.calls(), maxAttempts);

  const untrusting = await consumerUnderTest('redrive-unset', false, () => new Error('broken'));
  const parked = await parkedByTheConsumer(untrusting.e);
  await redrive(untrusting.e, 'console', parked);
  const refused = await parkedIn(untrusting.e);
  t.regex(String(refused[0]?.headers[orderlyHeaders.error]), new RegExp(`was published by ${untrusting.e.vhost}\\.console`));
  t.is(untrusting.calls(), maxAttempts);
});

test('when a message is redelivered (the broker may dead-letter it at its delivery limit, past the consumer), then it is recorded, and its redrive is believed', async (t) => {
  const event = confirmedEvent();
  const body = JSON.stringify(event);
  // Delivered once to a consumer that dies holding it: the broker delivers it again, marked redelivered.
  const { e, metrics, effects } = await consumerUnderTest('redrive-redelivered', true, undefined, async (env) => {
    await publishRaw(env, '', queue, body, { as: 'order', type: event.type, messageId: event.id });
    const conn = await amqp.connect(env.amqpUrl);
    const ch = await conn.createChannel();
    await waitFor(async () => (await ch.get(queue, { noAck: false })) || undefined, { what: 'the first delivery' });
    await conn.close();
  });
  await waitFor(async () => ((await counted(metrics, 'ack')) === 1 ? true : undefined), { what: 'the redelivery handled' });
  await redrive(e, 'console', body);
  await waitFor(async () => ((await counted(metrics, 'duplicate')) === 1 ? true : undefined), {
    what: 'the redriven copy believed, and absorbed by the inbox',
  });
  // Its handler may start (a duplicate's work is rolled back: decision 29); what stays is the first delivery's effect alone.
  t.is(await effects(), 1);
  t.deepEqual(await drainQueue(e, 'audit.dlq'), [], 'not refused');
});
