import test from 'ava';
import pg from 'pg';
import { createPool, type Pool } from '../src/db/pool.js';
import { createTestEnv, type TestEnv } from '../src/testing/index.js';
import { Database } from '../src/transaction/transaction.js';
import { confirmedEvent } from './fixture/service.js';

/**
 * Database.dryRun (the console's dry run) on real PostgreSQL: the work runs as handleOnce would run it — inbox
 * claim, statements, queued writes, validated emits — and everything is rolled back; what happens
 * only after a commit, or outside the database, does not happen. Serial: the tests share one table.
 */
let env: TestEnv;
let pool: Pool;
let db: Database;
test.before(async () => {
  env = await createTestEnv('dry_run_tx');
  pool = createPool(env.databaseUrl, 'public', 3);
  await pool.query(
    `CREATE TABLE outbox (id bigserial, event_id uuid, exchange text, routing_key text, type text, payload json, trace_context jsonb, subject text);
     CREATE TABLE inbox (consumer text, event_id uuid, event_at timestamptz, PRIMARY KEY (consumer, event_id, event_at));
     CREATE TABLE inbox_before_partitions (consumer text, event_id uuid, PRIMARY KEY (consumer, event_id));
     CREATE TABLE notes (id int PRIMARY KEY, body text)`,
  );
  db = new Database(pool, 'order');
});
test.after.always(async () => {
  await pool?.end();
  await env?.cleanup();
});
const counts = async () =>
  (
    await pool.query(
      'SELECT (SELECT count(*) FROM notes) AS notes, (SELECT count(*) FROM outbox) AS outbox, (SELECT count(*) FROM inbox) AS inbox',
    )
  ).rows[0];
// One time for every copy of an event, as its envelope would carry.
const eventTime = new Date().toISOString();
const claim = (eventId: string) => ({ consumer: 'q', eventId, eventTime });

test.serial(
  'when work is dry-run, then it sees its own writes, its emits and skipped effects are reported, and nothing stays',
  async (t) => {
    const event = confirmedEvent();
    const before = await counts();
    let committed = false;
    let mailed = false;
    let seen = -1;
    const run = await db.dryRun(claim(event.id), event, async (tx) => {
      t.true(tx.dryRun);
      await tx.query(`INSERT INTO notes VALUES (1, 'a')`);
      tx.queueForCommit(`INSERT INTO notes VALUES (2, 'b')`);
      seen = (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM notes')).rows[0]!.n;
      tx.emit('order.rejected', event.subject, {
        orderId: event.subject,
        customerId: 'C1',
        email: 'c1@example.com',
        reason: 'out_of_stock',
      });
      tx.afterCommit(() => {
        committed = true;
      });
      await tx.outside('mail: not sent in a dry run', async () => {
        mailed = true;
      });
    });
    t.is(seen, 1);
    t.true(run.fresh);
    t.is(run.error, undefined);
    t.deepEqual(
      run.emitted.map((e) => [e.type, e.subject, e.causationid]),
      [['order.rejected', event.subject, event.id]],
    );
    t.deepEqual(run.skipped, ['mail: not sent in a dry run']);
    t.false(committed, 'after-commit work does not run');
    t.false(mailed, 'the outside effect does not happen');
    t.deepEqual(await counts(), before);
  },
);

test.serial(
  'when the work of a dry run fails, or a queued write or an emit would, then the error is returned and nothing stays',
  async (t) => {
    const event = confirmedEvent();
    const thrown = await db.dryRun(claim(event.id), event, async (tx) => {
      await tx.query(`INSERT INTO notes VALUES (1, 'a')`);
      throw new Error('boom');
    });
    t.is((thrown.error as Error).message, 'boom');
    const queued = await db.dryRun(claim(event.id), event, async (tx) => {
      tx.queueForCommit('INSERT INTO notes VALUES ($1, $2)', [1, 'a']);
      tx.queueForCommit('INSERT INTO notes VALUES ($1, $2)', [1, 'again']);
    });
    t.is((queued.error as { code?: string }).code, '23505', 'the queued writes ran, and the second broke the key');
    const emitted = await db.dryRun(claim(event.id), event, async (tx) => {
      tx.emit('order.rejected', event.subject, { orderId: event.subject } as never);
    });
    t.truthy(emitted.error, 'an emit the catalog refuses fails the dry run as it would the handler');
    t.deepEqual(await counts(), { notes: 0, outbox: 0, inbox: 0 });
  },
);

test.serial('when the consumer has handled the message, then a dry run runs nothing; a real run afterwards still can', async (t) => {
  const event = confirmedEvent();
  await db.handleOnce(claim(event.id), event, async () => {});
  let ran = false;
  const run = await db.dryRun(claim(event.id), event, async () => {
    ran = true;
  });
  t.false(run.fresh);
  t.false(ran);
  const other = confirmedEvent();
  t.true((await db.dryRun(claim(other.id), other, async () => {})).fresh);
  t.true(await db.handleOnce(claim(other.id), other, async () => {}), 'the dry run left no inbox row behind');
});

test.serial('when the rows a dry run needs stay locked, then it gives up after its lock timeout instead of waiting on', async (t) => {
  t.timeout(30_000);
  await pool.query(`INSERT INTO notes VALUES (9, 'locked') ON CONFLICT DO NOTHING`);
  const holder = new pg.Client({ connectionString: env.databaseUrl });
  await holder.connect();
  t.teardown(() => holder.end());
  await holder.query('BEGIN');
  await holder.query('SELECT * FROM notes WHERE id = 9 FOR UPDATE');
  const event = confirmedEvent();
  const started = Date.now();
  const run = await db.dryRun(claim(event.id), event, async (tx) => {
    await tx.query('SELECT * FROM notes WHERE id = 9 FOR UPDATE');
  });
  t.is((run.error as { code?: string }).code, '55P03', 'lock_not_available');
  t.true(Date.now() - started < 10_000);
  await holder.query('ROLLBACK');
});
