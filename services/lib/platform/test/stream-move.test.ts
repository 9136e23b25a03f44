import { eventStream, exchanges, newEnvelope, orderStream } from '@orderly/events';
import amqp from 'amqplib';
import test from 'ava';
import pg from 'pg';
import type { AnyHandler } from '../src/inbound/consumer.js';
import { startService } from '../src/service.js';
import { MovingStreamReader } from '../src/stream/move.js';
import { StreamReader } from '../src/stream/reader.js';
import { createTestEnv, publishEnvelope, type TestEnv, waitFor } from '../src/testing/index.js';
import { Database } from '../src/transaction/transaction.js';
import { auditConnections } from './fixture/audit-connections.js';
import { auditReaderOptions } from './fixture/reader-options.js';
import { effects, notRecordedOnce, publishMany } from './fixture/recorded-effects.js';
import { consumerService, recorder } from './fixture/service.js';

/**
 * A reader that read the event stream moves to a narrower stream created after it stopped: what
 * was published before the new stream existed, while it was being created and during the move is
 * recorded exactly once (the recorder's rows have no key, so a double shows).
 */
const cleanups: (() => Promise<unknown>)[] = [];
test.after.always(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

const subscriptions = [{ exchange: exchanges.events, routingKey: 'order.confirmed' }];

async function readerOf(e: TestEnv, handler: AnyHandler, name: string, moving: boolean, subs = subscriptions) {
  const { logger, metrics, url, broker, publisher, pool } = await auditConnections(e, name, process.env.TEST_LOG_LEVEL ?? 'silent');
  const options = auditReaderOptions(url, handler, { stream: moving ? orderStream : eventStream, subscriptions: subs });
  const db = new Database(pool, 'audit');
  const r = moving
    ? new MovingStreamReader({ ...options, movedFrom: eventStream }, db, publisher, metrics, logger)
    : new StreamReader(options, db, publisher, metrics, logger);
  await r.attach(broker);
  const stop = async () => {
    await r.stop();
    await broker.close().catch(() => {});
    await pool.end().catch(() => {});
  };
  cleanups.push(stop);
  return { stop, pool };
}

/** The order stream as the topology declares it, with its binding (what an upgrade's declare does). */
async function createOrderStream(e: TestEnv) {
  const conn = await amqp.connect(e.amqpUrlFor('order'));
  const ch = await conn.createChannel();
  await ch.assertQueue(orderStream, { durable: true, arguments: { 'x-queue-type': 'stream' } });
  await ch.bindQueue(orderStream, exchanges.events, 'order.confirmed');
  // What another reader of the stream takes and this one does not.
  await ch.bindQueue(orderStream, exchanges.events, 'order.placed');
  await conn.close();
}

/** An event the reader does not subscribe to (the other reader of the order stream does). */
const placed = (e: TestEnv) => publishEnvelope(e, newEnvelope('order', 'order.placed', crypto.randomUUID(), { orderId: 'x' }));

async function offsetIn(pool: pg.Pool | { query: pg.Pool['query'] }, stream: string): Promise<number | undefined> {
  const { rows } = await pool.query<{ offset: string }>(`SELECT "offset" FROM stream_offsets WHERE reader = 'audit' AND stream = $1`, [
    stream,
  ]);
  return rows[0] ? Number(rows[0].offset) : undefined;
}

/** The release before the order stream: a vhost without it, where an old reader read `n` events of the event stream and stopped. */
async function oldReaderStopped(name: string, n: number, subs = subscriptions) {
  const e = await createTestEnv(name);
  cleanups.push(() => e.cleanup());
  const owner = await startService(consumerService(), e.envFor('order'));
  cleanups.push(() => owner.stop());
  await e.management(`api/queues/${encodeURIComponent(e.vhost)}/${encodeURIComponent(orderStream)}`, { method: 'DELETE' });
  const before = await publishMany(e, n);
  const old = await readerOf(e, recorder().handler, 'old-reader', false, subs);
  await waitFor(async () => ((await effects(e)).size === before.length ? true : undefined), { what: 'the old reader caught up' });
  await old.stop();
  return { e, before };
}

test('a reader moving from the event stream to the order stream records every event exactly once', async (t) => {
  // The old reader read the event stream and stopped with an offset there.
  const { e, before } = await oldReaderStopped('stream-move', 5);
  // While it is down: some before the new stream exists, some after (in both streams).
  const whileDown = await publishMany(e, 7);
  await createOrderStream(e);
  // The order stream begins with what this reader does not read.
  await placed(e);
  await placed(e);
  const afterCreate = await publishMany(e, 7);

  // The upgraded reader, with messages still coming until it has moved.
  const moved = await readerOf(e, recorder().handler, 'new-reader', true);
  const during: string[] = [];
  const deadline = Date.now() + 30_000;
  while ((await offsetIn(moved.pool, orderStream)) === undefined) {
    if (Date.now() > deadline) t.fail('the reader did not move to the order stream');
    if (Date.now() > deadline) return;
    during.push(...(await publishMany(e, 3)));
    await placed(e);
  }
  const after = await publishMany(e, 5);
  const all = [...before, ...whileDown, ...afterCreate, ...during, ...after];
  t.deepEqual(await notRecordedOnce(e, all), [], 'each event recorded once');
  t.is((await effects(e)).size, all.length);
  t.true(during.length > 0, 'messages were published during the move');
  // It reads the order stream now, and went past the messages of the move there.
  t.true((await offsetIn(moved.pool, orderStream))! >= afterCreate.length);
});

test('a reader with no offset in the event stream starts the order stream at its first message, without a move', async (t) => {
  const e = await createTestEnv('stream-move-fresh');
  cleanups.push(() => e.cleanup());
  const owner = await startService(consumerService(), e.envFor('order'));
  cleanups.push(() => owner.stop());
  const ids = await publishMany(e, 4);
  const r = await readerOf(e, recorder().handler, 'fresh-reader', true);
  await waitFor(async () => ((await effects(e)).size === ids.length ? true : undefined), { what: 'all recorded' });
  t.is(await offsetIn(r.pool, eventStream), undefined);
  t.is(await offsetIn(r.pool, orderStream), ids.length - 1);
});

test('a reader stopped after the marker went past and before it moved finishes the move when it starts again', async (t) => {
  const { e, before } = await oldReaderStopped('stream-move-restart', 3);
  const whileDown = await publishMany(e, 4);
  await createOrderStream(e);
  // The first order.confirmed in the order stream is the move's marker.
  const afterCreate = await publishMany(e, 6);

  const first = await readerOf(e, recorder().handler, 'moving-reader', true);
  const inbox = (id: string) => first.pool.query('SELECT 1 FROM inbox WHERE consumer = $1 AND event_id = $2', ['audit', id]);
  await waitFor(async () => ((await inbox(afterCreate[0]!)).rowCount ? true : undefined), { what: 'the marker handled', intervalMs: 10 });
  await first.stop();
  t.is(await offsetIn(await pgPool(e), orderStream), undefined, 'stopped before it moved');

  const again = await readerOf(e, recorder().handler, 'restarted-reader', true);
  await waitFor(async () => ((await offsetIn(again.pool, orderStream)) !== undefined ? true : undefined), {
    what: 'the restarted reader moved',
    timeoutMs: 30_000,
  });
  const after = await publishMany(e, 4);
  const all = [...before, ...whileDown, ...afterCreate, ...after];
  t.deepEqual(await notRecordedOnce(e, all), [], 'each event recorded once');
});

async function pgPool(e: TestEnv) {
  const pool = new pg.Pool({ connectionString: e.databaseUrl, max: 1 });
  cleanups.push(() => pool.end());
  await pool.query('SET search_path TO "order"');
  return pool;
}

const delivered = () => {
  const orderId = crypto.randomUUID();
  return newEnvelope('order', 'order.delivered', orderId, { orderId, customerId: 'C1', email: 'c1@example.com' });
};

test('when the order stream gets its bindings one at a time, then the reader moves only once every kind it takes is there', async (t) => {
  const both = [...subscriptions, { exchange: exchanges.events, routingKey: 'order.delivered' }];
  const { e, before } = await oldReaderStopped('stream-move-bindings', 2, both);
  // The operator has made the order.confirmed binding; the order.delivered one comes later.
  await createOrderStream(e);
  const moved = await readerOf(e, recorder().handler, 'moving-reader', true, both);
  const published: string[] = [];
  const publishBoth = async () => {
    published.push(...(await publishMany(e, 2)), (await publishEnvelope(e, delivered())).id);
  };
  for (let i = 0; i < 10; i++) await publishBoth();
  await new Promise((r) => setTimeout(r, 2500));
  t.is(await offsetIn(moved.pool, orderStream), undefined, 'not moved while order.delivered reaches only the event stream');
  const conn = await amqp.connect(e.amqpUrlFor('order'));
  await (await conn.createChannel()).bindQueue(orderStream, exchanges.events, 'order.delivered');
  await conn.close();
  const deadline = Date.now() + 30_000;
  while ((await offsetIn(moved.pool, orderStream)) === undefined && Date.now() < deadline) await publishBoth();
  t.not(await offsetIn(moved.pool, orderStream), undefined, 'moved once both kinds are in the order stream');
  await publishBoth();
  const all = [...before, ...published];
  t.deepEqual(await notRecordedOnce(e, all), [], 'each event recorded once');
});
