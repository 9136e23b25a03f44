import test from 'ava';
import { scratchPool } from '../src/testing/index.js';
import { Database } from '../src/transaction/transaction.js';

async function database(t: { teardown: (fn: () => Promise<void>) => void }) {
  const pool = await scratchPool(t, 'queued');
  await pool.query(
    'CREATE TABLE IF NOT EXISTS outbox (id bigserial, event_id uuid, exchange text, routing_key text, type text, payload json, trace_context jsonb, subject text)',
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
  t.is((await db.transaction(async (tx) => (await tx.query('SELECT 1 AS one')).rows[0]!.one)) as number, 1);
});

test('when a queued write passes a fractional number for an integer, then PostgreSQL refuses it as a parameter', async (t) => {
  const { pool, db } = await database(t);
  // Inlined as a bare literal, 10.5 was once rounded to 11 on its way into an integer column.
  const err = await t.throwsAsync(db.transaction(async (tx) => tx.queueForCommit('INSERT INTO notes (id) VALUES ($1)', [10.5])));
  t.is((err as { code?: string }).code, '22P02', 'invalid input syntax for type integer');
  t.is((await pool.query('SELECT count(*)::int AS n FROM notes')).rows[0].n, 0);
});

test('when a transaction emits, then its outbox rows carry the payloads byte for byte, written with the commit', async (t) => {
  const { pool, db } = await database(t);
  const orderId = crypto.randomUUID();
  const email = "o'brien+x@example.com";
  const [first, second] = await db.transaction(async (tx) => [
    tx.emit('order.rejected', orderId, { orderId, customerId: `C'1 {"} \\ \\"`, email, reason: 'out_of_stock' }),
    tx.emit('order.rejected', crypto.randomUUID(), { orderId, customerId: 'C2 ü ✓', email, reason: 'payment_declined' }),
  ]);
  const { rows } = await pool.query('SELECT event_id, type, routing_key, payload::text AS payload FROM outbox ORDER BY id');
  t.deepEqual(
    rows.map((r) => ({ ...r, payload: JSON.parse(r.payload) })),
    [first, second].map((e) => ({ event_id: e.id, type: e.type, routing_key: e.type, payload: JSON.parse(JSON.stringify(e)) })),
  );
});
