import test from 'ava';
import { type RunningService, startService } from '../src/service.js';
import { consumedCount, createTestEnv, permitWrite, type TestEnv, waitFor } from '../src/testing/index.js';
import { consumerService, recorder } from './fixture/service.js';

/**
 * A stream confirms before it fsyncs: when the broker comes back, the producer publishes again what
 * it confirmed in the last moments. The reader sees a duplicate and records the event once.
 */
const cleanups: (() => Promise<unknown>)[] = [];
test.after.always(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

/** One order.confirmed written to the producer's outbox. */
async function emitConfirmed(producer: RunningService<unknown>): Promise<void> {
  const orderId = crypto.randomUUID();
  await producer.db.transaction(async (tx) => {
    tx.emit('order.confirmed', orderId, { orderId, customerId: 'C1', email: 'c1@example.com', totalCents: 1, currency: 'EUR' });
  });
}

/** Closes a service's broker connections, as a restarting single-node broker does. */
async function dropConnectionsOf(e: TestEnv, service: string): Promise<void> {
  // The management API lists a connection only after its next stats emission (every 5 s): wait for it.
  const connections = await waitFor(
    async () => {
      const all = (await (await e.management(`api/vhosts/${e.vhost}/connections`)).json()) as { name: string; user: string }[];
      const mine = all.filter((c) => c.user === `${e.vhost}.${service}`);
      return mine.length > 0 ? mine : undefined;
    },
    { what: `${service}'s connections in the management API` },
  );
  for (const c of connections)
    await e.management(`api/connections/${encodeURIComponent(c.name)}`, { method: 'DELETE', headers: { 'X-Reason': 'test' } });
}

test('when the broker connection comes back, then the recently confirmed rows are published again and absorbed', async (t) => {
  const e = await createTestEnv('outbox-republish');
  cleanups.push(() => e.cleanup());
  const { handler } = recorder();
  const reader = await startService(consumerService(handler), e.envFor('audit'));
  cleanups.push(() => reader.stop());
  const producer = await startService(consumerService(), e.envFor('order'));
  cleanups.push(() => producer.stop());
  await emitConfirmed(producer);
  const unsent = async () => (await producer.db.pool.query('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL')).rows[0].n;
  await waitFor(async () => ((await consumedCount(reader, { outcome: 'ack' })) === 1 ? true : undefined));
  await waitFor(async () => ((await unsent()) === 0 ? true : undefined), { what: 'the row marked sent' });
  // The producer's connection drops (as when its single-node broker restarts) and comes back.
  await dropConnectionsOf(e, 'order');
  await waitFor(async () => ((await consumedCount(reader, { outcome: 'duplicate' })) === 1 ? true : undefined), {
    what: 'the republished copy absorbed as a duplicate',
  });
  const { rows } = await reader.db.pool.query('SELECT count(*)::int AS n FROM effects');
  t.is(rows[0].n, 1);
  await waitFor(async () => ((await unsent()) === 0 ? true : undefined), { what: 'the row marked sent again' });
  t.pass();
});

test('when the broker refuses a recently confirmed row published again after a reconnect, then the row stays sent (not parked) and the refusal is counted', async (t) => {
  const e = await createTestEnv('outbox-republish-refused');
  cleanups.push(() => e.cleanup());
  const producer = await startService(consumerService(), e.envFor('order'));
  cleanups.push(() => producer.stop());
  await emitConfirmed(producer);
  const rows = async () =>
    (
      await producer.db.pool.query<{ sent: boolean; parked: boolean }>(
        'SELECT published_at IS NOT NULL AS sent, parked_at IS NOT NULL AS parked FROM outbox',
      )
    ).rows;
  await waitFor(async () => ((await rows())[0]?.sent ? true : undefined), { what: 'the row confirmed and marked sent' });
  // The service loses the right to send it, as a saga-mode switch takes the order service's commands away.
  await permitWrite(e, 'order', '^(?!orderly\\.events$).*');
  await dropConnectionsOf(e, 'order');
  const refused = () => producer.metrics.outboxRepublishRefused.get();
  const counted = await waitFor(
    async () => {
      const value = (await refused())?.values.find((v) => v.labels.type === 'order.confirmed');
      return value && value.value > 0 ? value : undefined;
    },
    { what: 'the refused second publish counted' },
  );
  t.is(counted.value, 1);
  t.like(counted.labels, { exchange: 'orderly.events', reason: 'access_refused' });
  t.deepEqual(await rows(), [{ sent: true, parked: false }]);
  // A row never confirmed is still parked when refused: that one was not delivered.
  await emitConfirmed(producer);
  await waitFor(async () => ((await rows()).some((r) => r.parked) ? true : undefined), { what: 'the new row parked' });
});
