import test from 'ava';
import { inlineParams } from '../src/db/inline.js';
import { createPool } from '../src/db/pool.js';
import { Database } from '../src/db/transaction.js';
import { createTestEnv } from '../src/testing/index.js';

// The driver's own quoting, as the transaction uses it (no connection needed for escaping).
const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

test('parameters become literals as the driver would send them', (t) => {
  t.is(
    inlineParams('INSERT INTO t VALUES ($1, $2, $3, $4, $5)', ["O'Brien", 42, null, true, { a: "it's" }], quote),
    `INSERT INTO t VALUES ('O''Brien', '42', NULL, 'true', '{"a":"it''s"}')`,
  );
  t.is(
    inlineParams(
      'SELECT $1::text[], $2::int[]',
      [
        ['a"b', 'c\\d', null],
        [1, 2],
      ],
      quote,
    ),
    `SELECT '{"a\\"b","c\\\\d",NULL}'::text[], '{"1","2"}'::int[]`,
  );
  t.is(inlineParams('SELECT $1', [new Date('2026-01-02T03:04:05.000Z')], quote), `SELECT '2026-01-02T03:04:05.000Z'`);
  t.is(inlineParams('SELECT $10, $1', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], quote), "SELECT '10', '1'");
  t.throws(() => inlineParams('SELECT $2', [1], quote), { message: /\$2 but has 1 parameters/ });
  t.throws(() => inlineParams('SELECT $1', [Number.NaN], quote), { message: /cannot inline NaN/ });
});

test('when an inlined number follows a minus or is fractional, then PostgreSQL reads it as it would a parameter (issue 14)', async (t) => {
  t.is(inlineParams('SELECT 1-$1', [-5], quote), "SELECT 1-'-5'", 'quoted: never a -- comment');
  const e = await createTestEnv('inline_numbers');
  const pool = createPool(e.databaseUrl, 'public', 1);
  t.teardown(async () => {
    await pool.end();
    await e.cleanup();
  });
  // Bare, `1--5 AS v` was `1` and a comment (no column v at all).
  t.is((await pool.query(inlineParams('SELECT 1-$1 AS v', [-5], quote))).rows[0].v, 6);
  await pool.query('CREATE TABLE whole (n integer)');
  // Bare, 10.5 was rounded to 11 on its way into an integer column; a parameter is refused.
  const err = await t.throwsAsync(pool.query(inlineParams('INSERT INTO whole VALUES ($1)', [10.5], quote)));
  t.is((err as { code?: string }).code, '22P02', 'invalid input syntax for type integer');
  t.is((await pool.query('SELECT count(*)::int AS n FROM whole')).rows[0].n, 0);
});

async function database(t: { teardown: (fn: () => Promise<void>) => void }) {
  const e = await createTestEnv('queued');
  const pool = createPool(e.databaseUrl, 'public', 2);
  t.teardown(async () => {
    await pool.end();
    await e.cleanup();
  });
  await pool.query(
    'CREATE TABLE IF NOT EXISTS outbox (id bigserial, event_id uuid, exchange text, routing_key text, type text, payload json, trace_context jsonb)',
  );
  await pool.query('CREATE TABLE notes (id int PRIMARY KEY, body text, tags text[])');
  return { pool, db: new Database(pool, 'test') };
}

test('when a transaction commits, then its queued writes are in it, after its own statements, with their values intact', async (t) => {
  const { pool, db } = await database(t);
  await db.transaction(async (tx) => {
    tx.queueForCommit('UPDATE notes SET body = body || $2 WHERE id = $1', [1, " and then some 'more'"]);
    tx.queueForCommit('INSERT INTO notes (id, body, tags) VALUES ($1, $2, $3)', [2, 'second', ['x', 'y z']]);
    await tx.query('INSERT INTO notes (id, body) VALUES (1, $1)', ['first']);
  });
  const { rows } = await pool.query('SELECT id, body, tags FROM notes ORDER BY id');
  t.deepEqual(rows, [
    { id: 1, body: "first and then some 'more'", tags: null },
    { id: 2, body: 'second', tags: ['x', 'y z'] },
  ]);
});

test('when a queued write fails, then the whole transaction is rolled back and the caller sees the error', async (t) => {
  const { pool, db } = await database(t);
  await pool.query(`INSERT INTO notes (id, body) VALUES (1, 'kept')`);
  await t.throwsAsync(
    db.transaction(async (tx) => {
      await tx.query(`UPDATE notes SET body = 'changed' WHERE id = 1`);
      tx.queueForCommit('INSERT INTO notes (id, body) VALUES ($1, $2)', [1, 'duplicate key']);
    }),
    { message: /duplicate key/ },
  );
  t.deepEqual((await pool.query('SELECT id, body FROM notes')).rows, [{ id: 1, body: 'kept' }]);
  // The connection went back to the pool usable, not stuck in an aborted transaction.
  t.is((await db.transaction(async (tx) => (await tx.query('SELECT 1 AS one')).rows[0].one)) as number, 1);
});
