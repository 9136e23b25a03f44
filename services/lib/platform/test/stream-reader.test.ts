import { exchanges, orderlyHeaders, retryExchange, retryQueue } from '@orderly/events';
import amqp from 'amqplib';
import test from 'ava';
import pg from 'pg';
import type { AnyHandler } from '../src/inbound/consumer.js';
import { PermanentError } from '../src/inbound/parse-event.js';
import { startService } from '../src/service.js';
import { StreamReader } from '../src/stream/reader.js';
import { createTestEnv, publishEnvelope, publishRaw, type TestEnv, takeMessages, waitFor } from '../src/testing/index.js';
import { Database } from '../src/transaction/transaction.js';
import { auditConnections } from './fixture/audit-connections.js';
import { auditReaderOptions } from './fixture/reader-options.js';
import { effects, publishMany } from './fixture/recorded-effects.js';
import { confirmedEvent, consumerService, recorder } from './fixture/service.js';

/**
 * The readers that only record read the event stream and store their offset with their writes:
 * whatever crashes where, each event is recorded once; a poison event is parked and the stream
 * keeps flowing; a parked event redriven by the console reaches the projection.
 */
const cleanups: (() => Promise<unknown>)[] = [];
test.after.always(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

const reader = 'audit';

/** A vhost and database whose topology (the stream with small segments) and schema the fixture's producer set up. */
async function envWithStream(name: string): Promise<TestEnv> {
  const e = await createTestEnv(name);
  cleanups.push(() => e.cleanup());
  // Small segments, so that a few hundred messages cross several segment (and chunk) boundaries.
  await e.management(`api/policies/${encodeURIComponent(e.vhost)}/test-stream`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      pattern: '^orderly\\.stream$',
      'apply-to': 'queues',
      priority: 99,
      definition: { 'max-age': '1h', 'stream-max-segment-size-bytes': 4000 },
    }),
  });
  const owner = await startService(consumerService(), e.envFor('order'));
  cleanups.push(() => owner.stop());
  return e;
}

/** A reader of the stream as the platform runs it, on its own connections (a process of its own). */
async function readerOf(e: TestEnv, handler: AnyHandler, name: string, lingerMs = 0) {
  const { logger, metrics, url, broker, publisher, pool } = await auditConnections(e, name, process.env.TEST_LOG_LEVEL ?? 'silent');
  const r = new StreamReader(auditReaderOptions(url, handler, { lingerMs }), new Database(pool, 'audit'), publisher, metrics, logger);
  await r.attach(broker);
  const stop = async () => {
    await r.stop();
    await broker.close().catch(() => {});
    await pool.end().catch(() => {});
  };
  cleanups.push(stop);
  return { reader: r, broker, pool, metrics, stop };
}

const allOnce = (e: TestEnv, ids: string[], schema = 'order') =>
  waitFor(
    async () => {
      const got = await effects(e, schema);
      return ids.every((id) => got.get(id) === 1) ? got : undefined;
    },
    { what: `${ids.length} events recorded`, timeoutMs: 30_000 },
  );

const settle = () => new Promise((r) => setTimeout(r, 1500));

test('a reader that crashes between delivery and commit records each event once when read again', async (t) => {
  const e = await envWithStream('stream-crash-before-commit');
  const ids = await publishMany(e, 3);
  let blocked: (() => void) | undefined;
  const rec = recorder();
  const a = await readerOf(
    e,
    async (event, tx) => {
      await rec.handler(event, tx);
      // The second event's transaction never commits: the process dies here.
      if (event.id === ids[1]) await new Promise<void>((r) => (blocked = r));
    },
    'reader-a',
  );
  await waitFor(async () => blocked, { what: 'the reader stuck in its transaction' });
  // The crash: its broker connection and its database session end; nothing was committed.
  await a.broker.close();
  const admin = new pg.Client({ connectionString: e.databaseUrl });
  await admin.connect();
  await admin.query(
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'`,
  );
  await admin.end();
  await readerOf(e, recorder().handler, 'reader-b');
  const more = await publishMany(e, 2);
  await allOnce(e, [...ids, ...more]);
  await settle();
  const got = await effects(e);
  t.deepEqual(
    [...got.values()],
    [...ids, ...more].map(() => 1),
    'no event recorded twice',
  );
  // The dead reader's handler returns into a session that is gone: its stop() can finish.
  blocked!();
});

test('a reader that crashes between commit and ack does not record the batch again', async (t) => {
  const e = await envWithStream('stream-crash-after-commit');
  const ids = await publishMany(e, 3);
  let gate: (() => void) | undefined;
  const rec = recorder();
  const a = await readerOf(
    e,
    async (event, tx) => {
      await rec.handler(event, tx);
      if (event.id === ids[2]) await new Promise<void>((r) => (gate = r));
    },
    'reader-a',
  );
  await waitFor(async () => gate, { what: 'the reader handling the last event' });
  // The broker connection is gone before the commit: the commit happens, the ack cannot.
  await a.broker.close();
  gate!();
  await allOnce(e, ids);
  const b = await readerOf(e, recorder().handler, 'reader-b');
  const more = await publishMany(e, 2);
  await allOnce(e, [...ids, ...more]);
  await settle();
  t.deepEqual(
    [...(await effects(e)).values()],
    [...ids, ...more].map(() => 1),
    'the committed batch was not read again',
  );
  await b.stop();
});

test('a reader down past several segments resumes at its offset', async (t) => {
  const e = await envWithStream('stream-resume');
  const first = await publishMany(e, 5);
  const a = await readerOf(e, recorder().handler, 'reader-a');
  await allOnce(e, first);
  await a.stop();
  // ~900 bytes each: 150 messages fill many 4,000-byte segments while the reader is down.
  const padded = async () => (await publishEnvelope(e, confirmedEvent(), { 'x-pad': 'x'.repeat(500) })).id;
  const later: string[] = [];
  for (let i = 0; i < 150; i++) later.push(await padded());
  await readerOf(e, recorder().handler, 'reader-b');
  await allOnce(e, [...first, ...later]);
  await settle();
  const got = await effects(e);
  t.is(got.size, 155);
  t.true(
    [...got.values()].every((n) => n === 1),
    'nothing before the stored offset was read again',
  );
});

test('a poison event is parked with its reason and the stream keeps flowing; a redrive reaches the projection', async (t) => {
  const e = await envWithStream('stream-poison');
  const [before] = await publishMany(e, 1);
  // Not JSON; an order event published by the payment service (forged); one the handler refuses.
  await publishRaw(e, exchanges.events, 'order.confirmed', '{not json', { type: 'order.confirmed', messageId: 'm-1', as: 'order' });
  await publishEnvelope(e, confirmedEvent(), {}, 'payment');
  const refused = await publishEnvelope(e, confirmedEvent());
  const [after] = await publishMany(e, 1);
  // The service as it runs: the stream reader, and the consumer of its queue for retries and redrives.
  const rec = recorder();
  let refuse = true;
  const service = await startService(
    consumerService(async (event, tx) => {
      if (event.id === refused.id && refuse) throw new PermanentError('refused by the handler');
      await rec.handler(event, tx);
    }),
    { ...e.envFor('audit'), BROKER_REDRIVE_USER: `${e.vhost}.console` },
  );
  cleanups.push(() => service.stop());
  await allOnce(e, [before!, after!], 'audit');
  const parked = await takeMessages(e, 'audit.dlq', 3, { what: 'three messages parked in audit.dlq' });
  const reasons = parked.map((p) => String(p.headers[orderlyHeaders.error]));
  t.true(
    reasons.some((r) => /JSON|Unexpected token|SyntaxError/i.test(r)),
    reasons.join('\n'),
  );
  t.true(
    reasons.some((r) => /must be published by broker user/.test(r)),
    reasons.join('\n'),
  );
  t.true(
    reasons.some((r) => /refused by the handler/.test(r)),
    reasons.join('\n'),
  );
  t.false((await effects(e, 'audit')).has(refused.id));

  // The console's redrive: the parked copy back through the queue's retry exchange, attempt 1.
  refuse = false;
  const copy = parked.find((p) => /refused by the handler/.test(String(p.headers[orderlyHeaders.error])))!;
  const url = e.amqpUrlFor('console');
  const conn = await amqp.connect(url);
  const ch = await conn.createConfirmChannel();
  ch.publish(retryExchange(reader), retryQueue(reader), Buffer.from(copy.raw), {
    persistent: true,
    type: copy.type,
    messageId: copy.messageId,
    userId: decodeURIComponent(new URL(url).username),
    expiration: '0',
    headers: { [orderlyHeaders.attempt]: 1, [orderlyHeaders.publishedBy]: `${e.vhost}.order`, [orderlyHeaders.redrives]: 1 },
  });
  await ch.waitForConfirms();
  await conn.close();
  await allOnce(e, [before!, after!, refused.id], 'audit');
});

test('a batch lingers for messages that arrive within the linger: one commit for many, and a lone message still goes', async (t) => {
  const e = await envWithStream('stream-linger');
  await readerOf(e, recorder().handler, 'reader-linger', 1_500);
  // Twelve events a few milliseconds apart: without the linger each is its own transaction.
  const ids: string[] = [];
  for (let i = 0; i < 12; i++) {
    ids.push((await publishEnvelope(e, confirmedEvent())).id);
    await new Promise((r) => setTimeout(r, 15));
  }
  await allOnce(e, ids);
  const c = new pg.Client({ connectionString: e.databaseUrl });
  await c.connect();
  const { rows } = await c.query<{ n: string }>('SELECT count(DISTINCT xmin::text) AS n FROM "order".effects');
  await c.end();
  t.true(Number(rows[0]!.n) <= 2, `${rows[0]!.n} transactions for 12 events that arrived within the linger`);
  // One message alone is taken when its linger ends, not held for a full batch.
  const lone = (await publishEnvelope(e, confirmedEvent())).id;
  await allOnce(e, [...ids, lone]);
});
