import test from 'ava';
import { startService } from '../src/service.js';
import { consumedCount, createTestEnv, waitFor } from '../src/testing/index.js';
import { consumerService, recorder } from './fixture/service.js';

/**
 * A stream confirms before it fsyncs: when the broker comes back, the producer publishes again what
 * it confirmed in the last moments. The reader sees a duplicate and records the event once.
 */
const cleanups: (() => Promise<unknown>)[] = [];
test.after.always(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

test('when the broker connection comes back, then the recently confirmed rows are published again and absorbed', async (t) => {
  const e = await createTestEnv('outbox-republish');
  cleanups.push(() => e.cleanup());
  const { handler } = recorder();
  const reader = await startService(consumerService(handler), e.envFor('audit'));
  cleanups.push(() => reader.stop());
  const producer = await startService(consumerService(), e.envFor('order'));
  cleanups.push(() => producer.stop());
  const orderId = crypto.randomUUID();
  await producer.db.transaction(async (tx) => {
    tx.emit('order.confirmed', orderId, { orderId, customerId: 'C1', email: 'c1@example.com', totalCents: 1, currency: 'EUR' });
  });
  const unsent = async () => (await producer.db.pool.query('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL')).rows[0].n;
  await waitFor(async () => ((await consumedCount(reader, { outcome: 'ack' })) === 1 ? true : undefined));
  await waitFor(async () => ((await unsent()) === 0 ? true : undefined), { what: 'the row marked sent' });
  // The producer's connection drops (as when its single-node broker restarts) and comes back.
  // The management API lists a connection only after its next stats emission (every 5 s): wait for it.
  const producerConnections = await waitFor(
    async () => {
      const all = (await (await e.management(`api/vhosts/${e.vhost}/connections`)).json()) as { name: string; user: string }[];
      const mine = all.filter((c) => c.user === `${e.vhost}.order`);
      return mine.length > 0 ? mine : undefined;
    },
    { what: "the producer's connection in the management API" },
  );
  for (const c of producerConnections)
    await e.management(`api/connections/${encodeURIComponent(c.name)}`, { method: 'DELETE', headers: { 'X-Reason': 'test' } });
  await waitFor(async () => ((await consumedCount(reader, { outcome: 'duplicate' })) === 1 ? true : undefined), {
    what: 'the republished copy absorbed as a duplicate',
  });
  const { rows } = await reader.db.pool.query('SELECT count(*)::int AS n FROM effects');
  t.is(rows[0].n, 1);
  await waitFor(async () => ((await unsent()) === 0 ? true : undefined), { what: 'the row marked sent again' });
  t.pass();
});
