import { exchanges } from '@orderly/events';
import test from 'ava';
import { pruneBatch } from '../src/db/prune.js';
import { startService } from '../src/service.js';
import { consumedCount, createTestEnv, publishRaw, waitFor } from '../src/testing/index.js';
import { confirmedEvent, consumerService, recorder } from './fixture/service.js';

/**
 * Issue 14, finding 7: the inbox is pruned. Rows older than INBOX_RETENTION_HOURS go, a bounded batch
 * at a time on the service's own loop; younger ones stay, so a duplicate within the retention is
 * still absorbed.
 */
test('when inbox rows pass INBOX_RETENTION_HOURS, then the service prunes them in batches and keeps the younger ones', async (t) => {
  const e = await createTestEnv('inbox_pruning');
  t.teardown(() => e.cleanup());
  const rec = recorder();
  const service = await startService(consumerService(rec.handler), {
    ...e.envFor('audit'),
    INBOX_RETENTION_HOURS: '1',
    PRUNE_EVERY_MS: '200',
  });
  t.teardown(() => service.stop());
  const pool = service.db.pool;
  // 2,500 rows two hours old (more than two batches), 10 from half an hour ago.
  await pool.query(
    `INSERT INTO inbox (consumer, event_id, handled_at)
     SELECT 'audit', gen_random_uuid(), now() - interval '2 hours' FROM generate_series(1, 2500)`,
  );
  await pool.query(
    `INSERT INTO inbox (consumer, event_id, handled_at)
     SELECT 'audit', gen_random_uuid(), now() - interval '30 minutes' FROM generate_series(1, 10)`,
  );
  const count = async (where: string) => (await pool.query(`SELECT count(*)::int AS n FROM inbox WHERE ${where}`)).rows[0].n as number;
  await waitFor(async () => ((await count(`handled_at < now() - interval '1 hour'`)) === 0 ? true : undefined), {
    what: 'the old rows pruned',
  });
  t.is(await count(`handled_at >= now() - interval '1 hour'`), 10, 'younger rows kept');

  // A message handled now is remembered: its duplicate is absorbed, not handled twice.
  const event = confirmedEvent();
  for (let i = 0; i < 2; i++)
    await publishRaw(e, exchanges.events, event.type, JSON.stringify(event), { type: event.type, messageId: event.id, as: 'order' });
  await waitFor(async () => ((await consumedCount(service, { outcome: 'duplicate' })) === 1 ? true : undefined));
  t.is(rec.calls(), 1);

  // One batch is bounded.
  await pool.query(
    `INSERT INTO inbox (consumer, event_id, handled_at) SELECT 'x', gen_random_uuid(), now() - interval '3 hours' FROM generate_series(1, 50)`,
  );
  t.true((await pruneBatch(pool, { table: 'inbox', column: 'handled_at', retentionHours: 1 }, 20)) <= 20);
});
