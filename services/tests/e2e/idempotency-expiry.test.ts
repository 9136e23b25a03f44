import { customer, Stack } from '@orderly/testkit';
import test from 'ava';

/**
 * Idempotency-Keys (per customer) expire. Within
 * IDEMPOTENCY_KEY_RETENTION_HOURS a key answers with its first order (or 409 for another body);
 * after it the key is a new request, even before the pruner has deleted its row; and the order
 * service's pruner deletes the rows past the retention, a bounded batch at a time.
 */
let stack: Stack;
test.before(async () => {
  stack = await Stack.create('idempotency_expiry');
});
test.after.always(async () => {
  await stack?.dispose();
});

const keys = () => stack.services.get('order')!.db.pool;
const age = (key: string) => keys().query(`UPDATE idempotency_keys SET created_at = now() - interval '2 hours' WHERE key = $1`, [key]);

test.serial('when a key is older than the retention, then it is a new request (not a replay, not a 409)', async (t) => {
  // No pruning during this test: the claim itself must treat the old key as free.
  await stack.start(['order'], { IDEMPOTENCY_KEY_RETENTION_HOURS: '1', PRUNE_EVERY_MS: '3600000' });
  const c = stack.asCustomer('C100');
  const body = (qty: number) => ({ ...customer(100), items: [{ sku: 'TSHIRT-BLK-M', qty }] });
  const headers = { 'idempotency-key': 'retry-me' };
  const first = await c.placeOrder(body(1), headers);
  t.is(first.status, 202);
  t.is((await c.placeOrder(body(1), headers)).body.orderId, first.body.orderId, 'replayed within the retention');
  t.is((await c.placeOrder(body(2), headers)).status, 409, 'another body within the retention');
  await age('retry-me');
  const later = await c.placeOrder(body(2), headers);
  t.is(later.status, 202);
  t.not(later.body.orderId, first.body.orderId, 'a new order once the key expired');
  t.is((await c.placeOrder(body(2), headers)).body.orderId, later.body.orderId, 'and the key now answers with it');
  await stack.stop(['order']);
});

test.serial('when keys pass the retention, then the order service prunes them and keeps the young ones', async (t) => {
  await stack.start(['order'], { IDEMPOTENCY_KEY_RETENTION_HOURS: '1', PRUNE_EVERY_MS: '200' });
  const pool = keys();
  const { rows } = await pool.query<{ id: string }>('SELECT id FROM orders LIMIT 1');
  const orderId = rows[0]!.id;
  // 2,500 old keys (more than two batches) and a young one.
  await pool.query(
    `INSERT INTO idempotency_keys (customer_id, key, request_hash, order_id, created_at)
     SELECT 'C100', 'old-' || i, 'h', $1, now() - interval '3 hours' FROM generate_series(1, 2500) AS i`,
    [orderId],
  );
  await pool.query(`INSERT INTO idempotency_keys (customer_id, key, request_hash, order_id) VALUES ('C100', 'young', 'h', $1)`, [orderId]);
  const count = async (like: string) =>
    (await pool.query(`SELECT count(*)::int AS n FROM idempotency_keys WHERE key LIKE $1`, [like])).rows[0].n as number;
  const deadline = Date.now() + 20_000;
  while ((await count('old-%')) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  t.is(await count('old-%'), 0, 'old keys pruned');
  t.is(await count('young'), 1, 'the young key kept');
});
