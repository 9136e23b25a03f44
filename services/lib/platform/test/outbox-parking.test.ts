import test from 'ava';
import {
  allButCommands,
  cleanupList,
  createTestEnv,
  operatorHeaders,
  permitWrite,
  startTestService,
  waitFor,
} from '../src/testing/index.js';
import { consumerService, recorder } from './fixture/service.js';

/**
 * A row the broker will not take (here a command its user may not write, as after
 * a switch from orchestration to choreography) used to be retried before every later row, and the
 * relay published nothing else. Now it is parked with the broker's reason, counted, listed to
 * operators, and the rows behind it go out; once the broker allows it, an operator republishes it.
 */
const cleanups = cleanupList();
test.after.always(() => cleanups.run());

test('when the broker refuses an outbox row, then it is parked with its reason and the rows behind it are published', async (t) => {
  const e = await createTestEnv('outbox-parking');
  cleanups.add(() => e.cleanup());
  // The producer may write anything but the commands exchange (as choreography's rights allow).
  await permitWrite(e, 'order', allButCommands);
  const { handler } = recorder();
  const reader = await startTestService(consumerService(handler), e, cleanups);
  const producer = await startTestService(consumerService(), e, cleanups, { OUTBOX_SWEEP_AFTER_MS: '300' });

  const refused = crypto.randomUUID();
  const later = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
  await producer.db.transaction(async (tx) => {
    tx.emit('inventory.reserve', refused, { orderId: refused, items: [{ sku: 'SKU-1', qty: 1 }] });
    for (const orderId of later)
      tx.emit('order.confirmed', orderId, { orderId, customerId: 'C1', email: 'c1@example.com', totalCents: 1, currency: 'EUR' });
  });
  const recorded = async () => (await reader.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM effects')).rows[0]!.n;
  await waitFor(async () => ((await recorded()) === later.length ? true : undefined), {
    what: 'the events written after the refused command, published',
    timeoutMs: 20_000,
  });
  // And later transactions are not held back either.
  const next = crypto.randomUUID();
  await producer.db.transaction(async (tx) => {
    tx.emit('order.confirmed', next, { orderId: next, customerId: 'C1', email: 'c1@example.com', totalCents: 1, currency: 'EUR' });
  });
  await waitFor(async () => ((await recorded()) === later.length + 1 ? true : undefined), { what: 'a later event published' });

  const base = `http://127.0.0.1:${producer.port}`;
  const headers = await operatorHeaders();
  const parked = await waitFor(async () => {
    const body = (await (await fetch(`${base}/admin/outbox/parked`, { headers })).json()) as { parked: Record<string, unknown>[] };
    return body.parked.length > 0 ? body.parked : undefined;
  });
  t.is(parked.length, 1);
  t.like(parked[0], { type: 'inventory.reserve', exchange: 'orderly.commands', subject: refused });
  t.regex(String(parked[0]!.reason), /ACCESS_REFUSED.*orderly\.commands/);
  const pending = (await (await fetch(`${base}/admin/outbox?subject=${refused}`, { headers })).json()) as {
    pending: { parked?: unknown }[];
  };
  t.truthy(pending.pending[0]?.parked, 'the order’s pending rows say which is parked and why');
  const counted = (await producer.metrics.outboxParked.get()).values;
  t.deepEqual(
    counted.map((v) => [v.labels, v.value]),
    [[{ exchange: 'orderly.commands', type: 'inventory.reserve', reason: 'access_refused' }, 1]],
  );
  t.is((await fetch(`${base}/admin/outbox/parked`)).status, 401, 'only operators see parked rows');
  t.is((await fetch(`${base}/admin/outbox/parked/republish`, { method: 'POST' })).status, 401, 'or republish them');

  // The broker now allows it (the rights of a switch's drain); the operator hands it back.
  await permitWrite(e, 'order', '.*');
  const res = await fetch(`${base}/admin/outbox/parked/republish`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ ids: [parked[0]!.id] }),
  });
  t.deepEqual(await res.json(), { republished: 1 });
  await waitFor(
    async () => {
      const { rows } = await producer.db.pool.query(`SELECT published_at FROM outbox WHERE payload->>'subject' = $1`, [refused]);
      return rows[0]?.published_at ? true : undefined;
    },
    { what: 'the parked row published once allowed' },
  );
  t.deepEqual((await (await fetch(`${base}/admin/outbox/parked`, { headers })).json()) as unknown, { parked: [] });
});

test('when an outbox row names an exchange the broker does not have, or routes to no queue, then each is parked with its reason and a later event goes out', async (t) => {
  const e = await createTestEnv('outbox-parking-routes');
  cleanups.add(() => e.cleanup());
  const { handler } = recorder();
  const reader = await startTestService(consumerService(handler), e, cleanups);
  const producer = await startTestService(consumerService(), e, cleanups, { OUTBOX_SWEEP_AFTER_MS: '300' });
  // Rows as a release with another topology left them: written straight into the table, for the sweep.
  const leftover = (exchange: string, routingKey: string) =>
    producer.db.pool.query(
      `INSERT INTO outbox (event_id, exchange, routing_key, type, payload) VALUES ($1, $2, $3, 'order.confirmed', '{}')`,
      [crypto.randomUUID(), exchange, routingKey],
    );
  await leftover('orderly.gone', 'order.confirmed');
  await leftover('orderly.retry.audit', 'no-such-queue');
  const next = crypto.randomUUID();
  await producer.db.transaction(async (tx) => {
    tx.emit('order.confirmed', next, { orderId: next, customerId: 'C1', email: 'c1@example.com', totalCents: 1, currency: 'EUR' });
  });
  await waitFor(
    async () => ((await reader.db.pool.query('SELECT 1 FROM effects WHERE order_id = $1', [next])).rowCount ? true : undefined),
    {
      what: 'the later event published',
    },
  );
  const parked = await waitFor(async () => {
    const { rows } = await producer.db.pool.query<{ exchange: string; park_reason: string }>(
      'SELECT exchange, park_reason FROM outbox WHERE parked_at IS NOT NULL ORDER BY id',
    );
    return rows.length === 2 ? rows : undefined;
  });
  t.is(parked[0]!.exchange, 'orderly.gone');
  t.regex(parked[0]!.park_reason, /^NOT_FOUND - no exchange 'orderly.gone'/);
  t.deepEqual(parked[1], { exchange: 'orderly.retry.audit', park_reason: 'unroutable: no queue is bound for it' });
  const reasons = (await producer.metrics.outboxParked.get()).values.map((v) => v.labels.reason).sort();
  t.deepEqual(reasons, ['not_found', 'unroutable']);
});
