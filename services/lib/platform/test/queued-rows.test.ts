import { randomUUID } from 'node:crypto';
import test from 'ava';
import type pg from 'pg';
import { scratchPool } from '../src/testing/index.js';
import { RowBatch } from '../src/transaction/queued-rows.js';
import { Database } from '../src/transaction/transaction.js';

/** Tx.queueRowForCommit on real PostgreSQL: a batch's rows, queued one by one, sent as one statement at the commit. */
type Entry = [id: string, ref: number, label: string | null, at: string | null, big: string | null, doc: string | null];
const entries = new RowBatch<Entry>({
  types: ['uuid', 'int', 'text', 'timestamptz', 'bigint', 'text'],
  sql: (rows) => `INSERT INTO entries (id, ref, label, at, big, doc) SELECT id, ref, label, at, big, doc::jsonb
                    FROM ${rows} AS r(id, ref, label, at, big, doc) ON CONFLICT (id) DO NOTHING`,
});
type Label = [ref: number, label: string];
const labels = new RowBatch<Label>({
  types: ['int', 'text'],
  sql: (rows) => `UPDATE notes n SET body = v.body FROM ${rows} AS v(id, body) WHERE n.id = v.id`,
  key: ([ref]) => String(ref),
});

/** The database, with the text of every statement the transactions send recorded. */
async function database(t: { teardown: (fn: () => Promise<void>) => void }) {
  const pool = await scratchPool(t, 'queued_rows');
  await pool.query(
    `CREATE TABLE outbox (id bigserial, event_id uuid, exchange text, routing_key text, type text, payload json, trace_context jsonb, subject text);
     CREATE TABLE inbox (consumer text, event_id uuid, event_at timestamptz, PRIMARY KEY (consumer, event_id, event_at));
     CREATE TABLE inbox_before_partitions (consumer text, event_id uuid, PRIMARY KEY (consumer, event_id));
     CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL);
     CREATE TABLE entries (id uuid PRIMARY KEY, ref int NOT NULL, label text, at timestamptz, big bigint, doc jsonb)`,
  );
  const statements: string[] = [];
  const recording = (client: pg.PoolClient) =>
    new Proxy(client, {
      get: (target, key) => {
        const value = Reflect.get(target, key);
        if (key !== 'query') return typeof value === 'function' ? value.bind(target) : value;
        return (config: string | { text: string }, values?: unknown[]) => {
          statements.push(typeof config === 'string' ? config : config.text);
          return target.query(config as string, values);
        };
      },
    });
  const proxied = new Proxy(pool, {
    get: (target, key) => {
      if (key === 'connect') return async () => recording(await target.connect());
      const value = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { pool, db: new Database(proxied, 'test'), statements };
}

const row = (ref: number, over: Partial<Record<'label' | 'at' | 'big' | 'doc', string | null>> = {}): Entry => [
  randomUUID(),
  ref,
  over.label === undefined ? `label ${ref}` : over.label,
  over.at === undefined ? '2026-12-07T10:00:00.123456Z' : over.at,
  over.big === undefined ? '9007199254740993' : over.big,
  over.doc === undefined ? JSON.stringify({ ref }) : over.doc,
];

test('when many rows of one batch are queued, then the commit writes them in one statement, every value and null intact', async (t) => {
  const { pool, db, statements } = await database(t);
  const odd = row(0, { label: `NULL "quoted" 'single' \\ back, comma {brace} ü ✓`, doc: JSON.stringify({ s: 'a"b\\c', n: [1, null] }) });
  const nulls = row(1, { label: null, at: null, big: null, doc: null });
  const rest = Array.from({ length: 48 }, (_, i) => row(i + 2));
  await db.transaction(async (tx) => {
    for (const r of [odd, nulls, ...rest]) tx.queueRowForCommit(entries, r);
  });
  t.is(statements.filter((s) => s.includes('INSERT INTO entries')).length, 1, statements.join('\n'));
  const { rows } = await pool.query(
    `SELECT id, ref, label, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at, big::text, doc FROM entries ORDER BY ref`,
  );
  t.is(rows.length, 50);
  const expected = [odd, nulls, ...rest].map(([id, ref, label, at, big, doc]) => ({
    id,
    ref,
    label,
    at,
    big,
    doc: doc === null ? null : JSON.parse(doc),
  }));
  t.deepEqual(rows, expected);
});

test('when a later row has the key of an earlier one, then it replaces it: the last state is written, once', async (t) => {
  const { pool, db, statements } = await database(t);
  await pool.query(`INSERT INTO notes (id, body) VALUES (1, 'one'), (2, 'two'), (3, 'three')`);
  await db.transaction(async (tx) => {
    tx.queueRowForCommit(labels, [1, 'first']);
    tx.queueRowForCommit(labels, [2, 'second']);
    tx.queueRowForCommit(labels, [1, 'later']);
    tx.queueRowForCommit(labels, [1, 'last']);
  });
  t.is(statements.filter((s) => s.startsWith('UPDATE notes')).length, 1);
  t.deepEqual((await pool.query('SELECT id, body FROM notes ORDER BY id')).rows, [
    { id: 1, body: 'last' },
    { id: 2, body: 'second' },
    { id: 3, body: 'three' },
  ]);
});

test('when rows and statements are queued together, then a batch runs where its first row was queued', async (t) => {
  const { pool, db } = await database(t);
  await db.transaction(async (tx) => {
    tx.queueForCommit(`INSERT INTO notes (id, body) VALUES (1, 'inserted')`);
    tx.queueRowForCommit(labels, [1, 'labelled']);
    tx.queueForCommit(`UPDATE notes SET body = body || ' then appended' WHERE id = 1`);
    // Joins the batch already queued before the append: its statement does not move to the end.
    tx.queueRowForCommit(labels, [2, 'no such note']);
  });
  t.deepEqual((await pool.query('SELECT id, body FROM notes')).rows, [{ id: 1, body: 'labelled then appended' }]);
});

test('when a row fails, then the commit fails with its error and the whole transaction is rolled back', async (t) => {
  const { pool, db } = await database(t);
  const err = await t.throwsAsync(
    db.transaction(async (tx) => {
      await tx.query(`INSERT INTO notes (id, body) VALUES (1, 'by a query')`);
      tx.queueRowForCommit(entries, row(1));
      tx.queueRowForCommit(entries, [randomUUID(), null as unknown as number, 'no ref', null, null, null]);
    }),
  );
  t.is((err as { code?: string }).code, '23502', 'not null violation');
  t.deepEqual(
    (await pool.query('SELECT (SELECT count(*)::int FROM notes) AS notes, (SELECT count(*)::int FROM entries) AS entries')).rows,
    [{ notes: 0, entries: 0 }],
  );
  // The connection went back to the pool usable.
  t.is((await db.transaction(async (tx) => (await tx.query('SELECT 1 AS one')).rows[0]!.one)) as number, 1);
});

test('when rows are queued in a dry run, then their statement runs, its error is reported, and nothing is stored', async (t) => {
  const { pool, db } = await database(t);
  const cause = { id: randomUUID(), correlationid: randomUUID() };
  const claim = { consumer: 'q', eventId: cause.id, eventTime: new Date().toISOString() };
  const run = await db.dryRun(claim, cause, async (tx) => {
    tx.queueRowForCommit(entries, row(1));
  });
  t.is(run.error, undefined);
  const failing = await db.dryRun({ ...claim, eventId: randomUUID() }, cause, async (tx) => {
    tx.queueRowForCommit(entries, [randomUUID(), null as unknown as number, null, null, null, null]);
  });
  t.is((failing.error as { code?: string }).code, '23502');
  t.deepEqual(
    (await pool.query('SELECT (SELECT count(*)::int FROM entries) AS entries, (SELECT count(*)::int FROM inbox) AS inbox')).rows,
    [{ entries: 0, inbox: 0 }],
  );
});

test('when a row has the wrong number of columns, then queueing it throws at once', async (t) => {
  const { db } = await database(t);
  await t.throwsAsync(
    db.transaction(async (tx) => tx.queueRowForCommit(labels, [1] as unknown as Label)),
    { message: /2 columns expected, got 1/ },
  );
});
