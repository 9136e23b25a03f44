import { orderlyHeaders, retryExchange, retryQueue, topology } from '@orderly/events';
import amqp from 'amqplib';
import test from 'ava';
import { Broker } from '../src/bus/broker.js';
import { createPool } from '../src/db/pool.js';
import { Consumer } from '../src/inbound/consumer.js';
import { brokerIdentity } from '../src/inbound/identity.js';
import { createLogger } from '../src/logger.js';
import { createMetrics } from '../src/metrics.js';
import { Publisher } from '../src/outbound/publisher.js';
import { startService } from '../src/service.js';
import { createTestEnv, drainQueue, type TestEnv, waitFor } from '../src/testing/index.js';
import { Database } from '../src/transaction/transaction.js';
import { confirmedEvent, consumerService, recorder } from './fixture/service.js';

/**
 * Decision 0011: the console sends a parked message back to its queue through the queue's own
 * retry exchange with the attempt reset and the original publisher named. The consumer believes
 * those headers only when the copy's broker-verified user_id is the configured redrive user (or its
 * own); the same copy from anyone else is treated as any message from that user.
 */
const cleanups: (() => Promise<unknown>)[] = [];
test.after.always(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

const queue = 'audit';
const maxAttempts = 2;

/** A consumer of the audit queue as the platform runs it, with or without a redrive user. */
async function consumerUnderTest(name: string, redrive: boolean, fail?: (n: number) => Error | undefined) {
  const e = await createTestEnv(name);
  cleanups.push(() => e.cleanup());
  // The fixture's producer declares the topology and migrates the schema (inbox, effects).
  const owner = await startService(consumerService(), e.envFor('order'));
  cleanups.push(() => owner.stop());
  const logger = createLogger('test', 'silent');
  const metrics = createMetrics('audit');
  const url = e.amqpUrlFor('audit');
  const broker = await Broker.connect({
    url,
    topology: topology({ mode: 'choreography', deliveryLimit: 20 }),
    logger,
    metrics,
    name,
    role: 'consume',
    declare: false,
  });
  cleanups.push(() => broker.close());
  const publisher = new Publisher(metrics, logger, decodeURIComponent(new URL(url).username));
  await publisher.attach(broker);
  const pool = createPool(e.databaseUrl, 'order', 2);
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
  return { e, metrics, calls: rec.calls };
}

/** What the console publishes for a redrive: the original body, attempt 1, the original publisher; `as` a broker user. */
async function redrive(e: TestEnv, as: string, attempt = 1) {
  const event = confirmedEvent();
  const url = e.amqpUrlFor(as);
  const conn = await amqp.connect(url);
  try {
    const ch = await conn.createConfirmChannel();
    ch.publish(retryExchange(queue), retryQueue(queue), Buffer.from(JSON.stringify(event)), {
      persistent: true,
      type: event.type,
      messageId: event.id,
      userId: decodeURIComponent(new URL(url).username),
      expiration: '0',
      headers: {
        [orderlyHeaders.attempt]: attempt,
        [orderlyHeaders.publishedBy]: `${e.vhost}.order`,
        [orderlyHeaders.redrives]: 1,
      },
    });
    await ch.waitForConfirms();
  } finally {
    await conn.close();
  }
  return event;
}

/** What the consumer parked in audit.dlq, once something is there. */
const parkedIn = (e: TestEnv) =>
  waitFor(
    async () => {
      const got = await drainQueue(e, 'audit.dlq');
      return got.length > 0 ? got : undefined;
    },
    { what: 'a message parked in audit.dlq' },
  );

const counted = async (metrics: ReturnType<typeof createMetrics>, outcome: string) =>
  (await metrics.consumed.get()).values.filter((v) => v.labels.outcome === outcome).reduce((n, v) => n + v.value, 0);

test('when the redrive user sends a parked message back at attempt 1, then it is retried from the start and handled as from its producer', async (t) => {
  // The handler fails once more after the fix, as a message that was parked for a reason might.
  const { e, metrics, calls } = await consumerUnderTest('redrive-trusted', true, (n) =>
    n === 1 ? new Error('still warming up') : undefined,
  );
  await redrive(e, 'console');
  await waitFor(async () => ((await counted(metrics, 'ack')) === 1 ? true : undefined), { what: 'the redriven copy handled' });
  t.is(calls(), 2, 'the first attempt failed and was retried, not parked');
  t.is(await counted(metrics, 'retry'), 1);
  t.deepEqual(await drainQueue(e, 'audit.dlq'), []);
});

test('when the redrive user names the last attempt, then it is believed: one more failure parks it, keeping its redrive count', async (t) => {
  const { e, metrics, calls } = await consumerUnderTest('redrive-attempt', true, () => new Error('broken'));
  await redrive(e, 'console', maxAttempts);
  const parked = await parkedIn(e);
  t.is(calls(), 1);
  t.is(await counted(metrics, 'retry'), 0);
  t.is(parked[0]?.headers[orderlyHeaders.attempts], maxAttempts);
  t.is(parked[0]?.headers[orderlyHeaders.redrives], 1);
  t.is(parked[0]?.headers[orderlyHeaders.publishedBy], `${e.vhost}.order`, 'the original publisher, not the console');
});

test('when another service sends the same copy, or no redrive user is configured, then its headers are not believed: refused as from whoever published it', async (t) => {
  const trusting = await consumerUnderTest('redrive-forged', true);
  await redrive(trusting.e, 'payment');
  const forged = await parkedIn(trusting.e);
  t.regex(String(forged[0]?.headers[orderlyHeaders.error]), new RegExp(`was published by ${trusting.e.vhost}\\.payment`));
  t.is(trusting.calls(), 0);

  const untrusting = await consumerUnderTest('redrive-unset', false);
  await redrive(untrusting.e, 'console');
  const refused = await parkedIn(untrusting.e);
  t.regex(String(refused[0]?.headers[orderlyHeaders.error]), new RegExp(`was published by ${untrusting.e.vhost}\\.console`));
  t.is(untrusting.calls(), 0);
});
