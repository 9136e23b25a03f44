import { recordedDatabase } from '@orderly/platform/testing';
import test from 'ava';
import { activityOf } from '../src/domain/activity.js';
import { insertActivity } from '../src/store/activity-store.js';
import { message, startAudit } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
test.after.always(async () => {
  for (const c of cleanups.reverse()) await c();
});

test('when a batch keeps 50 messages, then the commit writes them with one statement, a copy in the batch left out', async (t) => {
  const { service } = await startAudit('batch_statements', cleanups);
  const pool = service.db.pool;
  // Every statement the transaction sends, on the real server.
  const { db, statements } = recordedDatabase(pool, 'audit');
  const orderId = crypto.randomUUID();
  const placed = message('order', 'order.placed', orderId, { orderId, note: 'o\'brien \\ "x"' });
  const rest = Array.from({ length: 49 }, (_, i) => message('order', 'order.confirmed', orderId, { orderId, i }, placed));
  const traceId = 'ab'.repeat(16);
  await db.transaction(async (tx) => {
    for (const [i, m] of [placed, ...rest, placed].entries()) insertActivity(tx, activityOf(m, i % 2 ? traceId : undefined));
  });
  const inserts = statements.filter((s) => s.includes('INSERT INTO activity')).length;
  t.log(`50 messages and a copy: ${inserts} insert statement(s), ${statements.length} statements in all`);
  t.is(inserts, 1);
  const { rows } = await pool.query(
    `SELECT event_id AS id, causation_id AS "causationId", trace_id AS "traceId", payload FROM activity WHERE order_id = $1`,
    [orderId],
  );
  t.is(rows.length, 50);
  t.like(Object.fromEntries(rows.map((r) => [r.id, r])), {
    [placed.id]: { causationId: null, traceId: null, payload: placed.data },
    [rest[0]!.id]: { causationId: placed.id, traceId, payload: { orderId, i: 0 } },
  });
});
