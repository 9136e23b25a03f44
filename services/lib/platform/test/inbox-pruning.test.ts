import { exchanges } from '@orderly/events';
import test from 'ava';
import { maintainPartitions, partitionOf } from '../src/db/partitions.js';
import { pruneBatch } from '../src/db/prune.js';
import { createLogger } from '../src/logger.js';
import { startService } from '../src/service.js';
import { consumedCount, createTestEnv, publishRaw, type TestEnv, waitFor } from '../src/testing/index.js';
import { inboxPartitions } from '../src/transaction/inbox.js';
import { confirmedEvent, consumerService, recorder } from './fixture/service.js';

/**
 * The inbox forgets handled messages after INBOX_RETENTION_HOURS by dropping whole partitions of
 * event time (decision 0032); a duplicate meets its original whatever day it comes back on. The
 * few rows outside the dated partitions are pruned a bounded batch at a time.
 */
const envs: TestEnv[] = [];
test.after.always(async () => {
  for (const e of envs) await e.cleanup();
});
const day = 86_400_000;
const logger = createLogger('inbox-pruning-test', 'silent');

const publish = (e: TestEnv, event: ReturnType<typeof confirmedEvent>) =>
  publishRaw(e, exchanges.events, event.type, JSON.stringify(event), { type: event.type, messageId: event.id, as: 'order' });

test('when a duplicate comes back after the next day’s partition exists, then it meets its original and is absorbed', async (t) => {
  const e = await createTestEnv('inbox_boundary');
  envs.push(e);
  const rec = recorder();
  const service = await startService(consumerService(rec.handler), { ...e.envFor('audit'), PRUNE_EVERY_MS: '600000' });
  t.teardown(() => service.stop());
  const pool = service.db.pool;
  const inbox = inboxPartitions(168);
  const today = partitionOf(inbox, new Date());
  // The last moment of today and the first of tomorrow, as their envelopes say.
  const late = { ...confirmedEvent(), time: new Date(today.to.getTime() - 1).toISOString() };
  const early = { ...confirmedEvent(), time: today.to.toISOString() };
  const consumed = (outcome: string, n: number) =>
    waitFor(async () => ((await consumedCount(service, { outcome })) === n ? true : undefined), { what: `${n} ${outcome}` });

  await publish(e, late);
  await publish(e, early);
  await consumed('ack', 2);
  // The service made today's partition and the next ones at start; a tick of tomorrow's makes more before the copies come back.
  await maintainPartitions(pool, [inbox], logger, new Date(today.to.getTime() + day));
  await publish(e, late);
  await publish(e, early);
  await consumed('duplicate', 2);
  t.is(rec.calls(), 2, 'each event handled once');
  t.is(await consumedCount(service, { outcome: 'ack' }), 2);
  const { rows } = await pool.query(`SELECT tableoid::regclass::text AS p FROM inbox WHERE event_id = ANY($1) ORDER BY event_at`, [
    [late.id, early.id],
  ]);
  t.deepEqual(
    rows.map((r) => r.p),
    [today.name, partitionOf(inbox, today.to).name],
    'each in the partition of its own time',
  );
});

test('when inbox rows outside the dated partitions pass INBOX_RETENTION_HOURS, then the service prunes them in batches and keeps the younger ones', async (t) => {
  const e = await createTestEnv('inbox_pruning');
  envs.push(e);
  const service = await startService(consumerService(recorder().handler), {
    ...e.envFor('audit'),
    INBOX_RETENTION_HOURS: '1',
    PRUNE_EVERY_MS: '200',
  });
  t.teardown(() => service.stop());
  const pool = service.db.pool;
  // Events of a time no partition covers (a producer's clock far behind): 2,500 handled two hours ago, 10 half an hour ago.
  await pool.query(
    `INSERT INTO inbox (consumer, event_id, event_at, handled_at)
     SELECT 'audit', gen_random_uuid(), '1990-01-01', now() - interval '2 hours' FROM generate_series(1, 2500)`,
  );
  await pool.query(
    `INSERT INTO inbox (consumer, event_id, event_at, handled_at)
     SELECT 'audit', gen_random_uuid(), '1990-01-01', now() - interval '30 minutes' FROM generate_series(1, 10)`,
  );
  const count = async (where: string) =>
    (await pool.query(`SELECT count(*)::int AS n FROM inbox_default WHERE ${where}`)).rows[0].n as number;
  await waitFor(async () => ((await count(`handled_at < now() - interval '1 hour'`)) === 0 ? true : undefined), {
    what: 'the old rows pruned',
  });
  t.is(await count(`handled_at >= now() - interval '1 hour'`), 10, 'younger rows kept');

  // One batch is bounded.
  await pool.query(
    `INSERT INTO inbox (consumer, event_id, event_at, handled_at)
     SELECT 'x', gen_random_uuid(), '1990-01-01', now() - interval '3 hours' FROM generate_series(1, 50)`,
  );
  t.true((await pruneBatch(pool, { table: 'inbox_default', column: 'handled_at', retentionHours: 1 }, 20)) <= 20);
});
