import test from 'ava';
import { dropExpired, maintainPartitions, partitionOf } from '../src/db/partitions.js';
import { createPool } from '../src/db/pool.js';
import { createLogger } from '../src/logger.js';
import { outboxPartitions } from '../src/outbound/outbox-retention.js';
import { startService } from '../src/service.js';
import { createTestEnv, waitFor } from '../src/testing/index.js';
import { confirmedEvent, consumerService, recorder } from './fixture/service.js';

/**
 * The outbox's old partitions are dropped whole (decision 0032), but never one holding a row the
 * broker has not confirmed: a row left unsent in an old partition (its instance stopped, the
 * broker was down) survives the prune and is published by the next relay that runs.
 */
const hour = 3_600_000;
const logger = createLogger('outbox-partitions-test', 'silent');

test('when a row is still unsent in an hour past the retention, then the prune keeps its partition and the relay publishes it', async (t) => {
  const e = await createTestEnv('outbox_partitions');
  t.teardown(() => e.cleanup());
  const rec = recorder();
  const consumer = await startService(consumerService(rec.handler), e.envFor('audit'));
  t.teardown(() => consumer.stop());
  // The producer's schema, and a row its relay never sent, written three hours ago.
  await startService(consumerService(), { ...e.envFor('order'), MIGRATE_ONLY: 'true' });
  const pool = createPool(e.databaseUrl, 'order', 2);
  t.teardown(() => pool.end());
  const now = Date.now();
  await maintainPartitions(pool, [outboxPartitions], logger, new Date(now - 3 * hour));
  const event = confirmedEvent();
  await pool.query(
    `INSERT INTO outbox (event_id, exchange, routing_key, type, payload, subject, created_at)
     VALUES ($1, 'orderly.events', $2, $2, $3, $4, $5)`,
    [event.id, event.type, JSON.stringify(event), event.subject, new Date(now - 3 * hour)],
  );
  const old = partitionOf(outboxPartitions, new Date(now - 3 * hour)).name;
  const exists = async (name: string) => (await pool.query('SELECT to_regclass($1) IS NOT NULL AS e', [name])).rows[0].e as boolean;
  const emptyNeighbour = partitionOf(outboxPartitions, new Date(now - 2 * hour)).name;

  // The prune tick: the empty hours go, the one with the unsent row stays.
  await maintainPartitions(pool, [outboxPartitions], logger, new Date(now));
  t.false(await exists(emptyNeighbour), 'an empty hour past the retention is dropped');
  t.true(await exists(old), 'the hour holding an unsent row is kept');

  const producer = await startService(consumerService(), e.envFor('order'));
  t.teardown(() => producer.stop());
  await waitFor(async () => (rec.calls() === 1 ? true : undefined), { what: 'the old row published and handled' });
  await waitFor(
    async () =>
      (await pool.query('SELECT published_at FROM outbox WHERE event_id = $1', [event.id])).rows[0]?.published_at ? true : undefined,
    { what: 'the row marked sent' },
  );
  t.true((await dropExpired(pool, outboxPartitions, new Date(now + 2 * hour))).includes(old), 'dropped once sent an hour ago');
});
