import test from 'ava';
import pg from 'pg';
import { startService } from '../src/service.js';
import { createTestEnv, type TestEnv, waitFor } from '../src/testing/index.js';
import { consumerService, recorder } from './fixture/service.js';

/**
 * The commit that wrote the outbox hands its rows to the relay in-process, not through NOTIFY
 * (decision 0012): a NOTIFY holds a database-wide lock through the commit's WAL flush, so commits
 * queue behind it.
 */
let e: TestEnv;
const cleanups: (() => Promise<void>)[] = [];
test.before(async () => {
  e = await createTestEnv('outbox_wake');
  cleanups.push(() => e.cleanup());
});
test.after.always(async () => {
  for (const c of cleanups.reverse()) await c();
});

test('when a transaction emits an event, then the relay publishes it at once, marks it sent, and no commit sends a NOTIFY', async (t) => {
  // Polls only every 10 min: a prompt delivery can only come from the commit's own wake.
  const vars = { ...e.envFor('audit'), OUTBOX_POLL_MS: '600000' };
  const { handler } = recorder();
  const consumer = await startService(consumerService(handler), vars);
  cleanups.push(() => consumer.stop());
  const producer = await startService(consumerService(), { ...vars, ...e.envFor('order'), OUTBOX_POLL_MS: '600000' });
  cleanups.push(() => producer.stop());

  const listener = new pg.Client({ connectionString: e.databaseUrl });
  await listener.connect();
  cleanups.push(() => listener.end());
  const notifications: string[] = [];
  listener.on('notification', (n) => notifications.push(n.channel));
  await listener.query('LISTEN "order.outbox"');

  const orderId = crypto.randomUUID();
  await producer.db.transaction(async (tx) => {
    tx.emit('order.confirmed', orderId, { orderId, customerId: 'C1', email: 'c1@example.com', totalCents: 1, currency: 'EUR' });
  });
  await waitFor(
    async () => ((await consumer.db.pool.query('SELECT 1 FROM effects WHERE order_id = $1', [orderId])).rowCount === 1 ? true : undefined),
    { what: 'the event handled', timeoutMs: 5_000 },
  );
  await new Promise((r) => setTimeout(r, 200)); // a notification would have arrived by now
  t.deepEqual(notifications, [], 'no NOTIFY on the commit path');
  // Marked sent in a batch after the confirm, not by the sweep (which would take 10 min here).
  const sent = await waitFor(async () => {
    const { rows } = await producer.db.pool.query(`SELECT published_at FROM outbox WHERE payload->'data'->>'orderId' = $1`, [orderId]);
    return rows[0]?.published_at ? rows : undefined;
  });
  t.is(sent.length, 1);
});
