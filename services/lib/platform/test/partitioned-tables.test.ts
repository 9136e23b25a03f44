import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { migrate } from '../src/db/migrate.js';
import { dropExpired, maintainPartitions } from '../src/db/partitions.js';
import { createPool, type Pool } from '../src/db/pool.js';
import { createLogger } from '../src/logger.js';
import { outboxPartitions } from '../src/outbound/outbox-retention.js';
import { outboxCounts, parkedRows } from '../src/outbound/parked-rows.js';
import { packageDir } from '../src/package-dir.js';
import { createScratchDatabase, dropScratchDatabase, serversFromEnv } from '../src/testing/index.js';
import { claim, claimMany, inboxPartitions } from '../src/transaction/inbox.js';

/**
 * The partitioned inbox and outbox (migration 009, decision 0032) on the system's PostgreSQL 15 and
 * the chroot's 17: the conversion keeps every row, any time finds a partition, and dropping old
 * partitions never loses an unsent row nor an inbox row handled within the retention.
 */
const logger = createLogger('partitions-test', 'silent');
const migrations = join(packageDir(import.meta.url), 'migrations');
const hour = 3_600_000;
const day = 24 * hour;
const inbox = inboxPartitions(168);

/** The chroot's PostgreSQL 17, as scripts/k8s/servers/env.sh names it. */
function postgresql17(): string {
  const out = execFileSync('scripts/k8s/servers/env.sh', ['postgresql17'], {
    cwd: join(packageDir(import.meta.url), '../../..'),
    encoding: 'utf8',
  });
  const url = /DATABASE_URL=(\S+)/.exec(out)?.[1];
  if (!url) throw new Error('scripts/k8s/servers/env.sh postgresql17 printed no DATABASE_URL; start it with scripts/setup.sh --for-tests');
  return url;
}

const servers = [
  { name: 'PostgreSQL 15', url: () => serversFromEnv().databaseUrl },
  { name: 'PostgreSQL 17', url: postgresql17 },
];

/** A scratch database with a schema migrated up to `upTo` (a migration file name), or fully. */
async function scratch(t: { teardown(fn: () => Promise<void>): void }, serverUrl: string, upTo?: string): Promise<Pool> {
  const name = `test_partitions_${randomUUID().slice(0, 8)}`;
  const url = await createScratchDatabase(serverUrl, name);
  const pool = createPool(url, 'svc', 3, { pipeline: false });
  t.teardown(async () => {
    await pool.end();
    await dropScratchDatabase(serverUrl, name);
  });
  if (upTo) {
    const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
    await cp(migrations, dir, { recursive: true, filter: (f) => !/\d{3}_/.test(f) || f.split('/').pop()! <= upTo });
    await migrate(pool, 'svc', [{ prefix: 'platform', dir }], logger);
    await rm(dir, { recursive: true });
  } else await migrate(pool, 'svc', [{ prefix: 'platform', dir: migrations }], logger);
  return pool;
}

async function claimed(pool: Pool, eventId: string, eventTime: string, consumer = 'q'): Promise<boolean> {
  const client = await pool.connect();
  try {
    return await claim(client, { consumer, eventId, eventTime });
  } finally {
    client.release();
  }
}

const outboxRow = `INSERT INTO outbox (event_id, exchange, routing_key, type, payload, created_at, published_at, parked_at, park_reason)
  VALUES (gen_random_uuid(), 'orderly.events', 'order.confirmed', 'order.confirmed', '{}', $1, $2, $3, $4) RETURNING id::int`;
const partitionOfRow = async (pool: Pool, table: string, where: string, values: unknown[]) =>
  (await pool.query(`SELECT tableoid::regclass::text AS p FROM ${table} WHERE ${where}`, values)).rows.map((r) => r.p as string);

for (const server of servers) {
  test(`[${server.name}] when a service with rows in its inbox and outbox is upgraded, then it keeps its dedupe and its pending and parked rows`, async (t) => {
    const pool = await scratch(t, server.url(), '008_parked_messages.sql');
    const handled = randomUUID();
    await pool.query(`INSERT INTO inbox (consumer, event_id, handled_at) VALUES ('q', $1, now() - interval '1 hour')`, [handled]);
    const ago = new Date(Date.now() - 10 * 60_000);
    const pending = (await pool.query(outboxRow, [ago, null, null, null])).rows[0].id;
    const parked = (await pool.query(outboxRow, [ago, null, ago, 'NOT_FOUND - no exchange'])).rows[0].id;
    const sent = (await pool.query(outboxRow, [ago, ago, null, null])).rows[0].id;

    await migrate(pool, 'svc', [{ prefix: 'platform', dir: migrations }], logger);
    await maintainPartitions(pool, [inbox, outboxPartitions], logger);

    t.false(await claimed(pool, handled, new Date().toISOString()), 'an event handled before the upgrade is still a duplicate');
    t.true(await claimed(pool, randomUUID(), new Date().toISOString()), 'a new event is fresh');
    const fresh = randomUUID();
    const batch = await claimMany((text, values) => pool.query(text, values), 'q', [
      { id: handled, time: new Date().toISOString() },
      { id: fresh, time: new Date().toISOString() },
    ]);
    t.deepEqual([...batch], [fresh], 'a batch claim (the stream readers and batched consumers) sees the old rows too');
    const { rows } = await pool.query('SELECT id::int, published_at IS NOT NULL AS sent, park_reason FROM outbox ORDER BY id');
    t.deepEqual(rows, [
      { id: pending, sent: false, park_reason: null },
      { id: parked, sent: false, park_reason: 'NOT_FOUND - no exchange' },
      { id: sent, sent: true, park_reason: null },
    ]);
    t.deepEqual(await outboxCounts(pool), { pending: 1, parked: 1 });
    t.deepEqual(
      (await parkedRows(pool)).map((r) => r.id),
      [parked],
    );
    const next = (await pool.query(outboxRow, [new Date(), null, null, null])).rows[0].id;
    t.true(next > sent, 'ids go on from the old table');
    t.regex((await partitionOfRow(pool, 'outbox', 'id = $1', [next]))[0]!, /^outbox_p\d{10}$/, 'a new row goes to its hour');
  });

  test(`[${server.name}] when an event or a row comes with any time at all, then it finds a partition and a duplicate is still refused`, async (t) => {
    const pool = await scratch(t, server.url());
    await maintainPartitions(pool, [inbox, outboxPartitions], logger);
    const now = Date.now();
    const times = [
      '1970-01-01T00:00:00Z',
      '2999-12-31T23:59:59.999999Z',
      new Date(now).toISOString(),
      new Date(now + 5 * day).toISOString(),
    ];
    for (const time of times) {
      const id = randomUUID();
      t.true(await claimed(pool, id, time), `${time}: claimed`);
      t.false(await claimed(pool, id, time), `${time}: its duplicate refused`);
      await pool.query(outboxRow, [time, null, null, null]);
    }
    // Five days ahead went to the default partition; when its day's partition is made, it moves there and still dedupes.
    const ahead = randomUUID();
    const at = new Date(now + 5 * day).toISOString();
    await claimed(pool, ahead, at);
    t.deepEqual(await partitionOfRow(pool, 'inbox', 'event_id = $1', [ahead]), ['inbox_default']);
    await maintainPartitions(pool, [inbox, outboxPartitions], logger, new Date(now + 4 * day));
    t.regex((await partitionOfRow(pool, 'inbox', 'event_id = $1', [ahead]))[0]!, /^inbox_p\d{10}$/);
    t.false(await claimed(pool, ahead, at), 'still a duplicate after the move');
  });

  test(`[${server.name}] when old outbox partitions are dropped, then none holding an unsent, parked or recently sent row goes`, async (t) => {
    const pool = await scratch(t, server.url());
    const now = Date.now();
    await maintainPartitions(pool, [outboxPartitions], logger, new Date(now - 5 * hour));
    const at = (h: number) => new Date(now - h * hour);
    const pending = (await pool.query(outboxRow, [at(5), null, null, null])).rows[0].id;
    const parked = (await pool.query(outboxRow, [at(4), null, at(4), 'nacked by the broker'])).rows[0].id;
    await pool.query(outboxRow, [at(3), at(3), null, null]);
    await pool.query(outboxRow, [at(2), new Date(now - 10 * 60_000), null, null]);
    const [p5, p4, p3, p2] = [5, 4, 3, 2].map((h) => `outbox_p${at(h).toISOString().slice(0, 13).replace(/\D/g, '')}`);

    t.deepEqual(await dropExpired(pool, outboxPartitions, new Date(now)), [p3], 'only the hour whose rows were all sent over an hour ago');
    t.deepEqual(await partitionOfRow(pool, 'outbox', 'id = ANY($1)', [[pending, parked]]), [p5, p4]);

    // Once sent (the parked row republished), they go too; the recent send waits for its hour.
    await pool.query(`UPDATE outbox SET published_at = $2, parked_at = NULL, park_reason = NULL WHERE id = ANY($1)`, [
      [pending, parked],
      at(2),
    ]);
    t.deepEqual(await dropExpired(pool, outboxPartitions, new Date(now)), [p5, p4]);
    t.deepEqual(await dropExpired(pool, outboxPartitions, new Date(now + hour)), [p2]);
  });

  test(`[${server.name}] when old inbox partitions are dropped, then one holding an event handled within the retention stays`, async (t) => {
    const pool = await scratch(t, server.url());
    const now = Date.now();
    await maintainPartitions(pool, [inbox], logger, new Date(now - 6 * day));
    const late = randomUUID();
    const eventTime = new Date(now - 6 * day).toISOString();
    t.true(await claimed(pool, late, eventTime), 'handled now, six days after its event time');
    const [p] = await partitionOfRow(pool, 'inbox', 'event_id = $1', [late]);
    t.regex(p!, /^inbox_p\d{10}$/);

    t.false((await dropExpired(pool, inbox, new Date(now + 3 * day))).includes(p!), 'its day is past the retention, its handling is not');
    t.false(await claimed(pool, late, eventTime), 'a duplicate three days later is refused');
    t.true((await dropExpired(pool, inbox, new Date(now + 8 * day))).includes(p!), 'dropped once its handling is past the retention');
  });
}
