import { exchanges } from '@orderly/events';
import test from 'ava';
import { startService } from '../src/service.js';
import { consumedCount, createTestEnv, drainQueue, publishRaw, type TestEnv, takeMessages, waitFor } from '../src/testing/index.js';
import { confirmedEvent, consumerService, recorder } from './fixture/service.js';

const cleanups: (() => Promise<void>)[] = [];
test.after.always(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function env(name: string, extra: Record<string, string> = {}): Promise<TestEnv & { vars: Record<string, string> }> {
  const e = await createTestEnv(name);
  cleanups.push(() => e.cleanup());
  return { ...e, vars: { ...e.envFor('audit'), RETRY_MAX_ATTEMPTS: '3', ...extra } };
}

async function start(def: Parameters<typeof startService>[0], vars: Record<string, string>) {
  const service = await startService(def, vars);
  cleanups.push(() => service.stop());
  return service;
}

const effectsOf = async (service: { db: { pool: { query: (q: string) => Promise<{ rows: unknown[] }> } } }) =>
  (await service.db.pool.query('SELECT event_id, order_id FROM effects')).rows;

const publishEvent = (e: TestEnv, event: ReturnType<typeof confirmedEvent>, content = JSON.stringify(event)) =>
  publishRaw(e, exchanges.events, event.type, content, { type: event.type, messageId: event.id, as: 'order' });

const consumedOf = (service: Awaited<ReturnType<typeof start>>, outcome: string) => consumedCount(service, { outcome });

test('when the same event is delivered twice, then it has one effect and the second is counted as a duplicate', async (t) => {
  const e = await env('dup');
  const { handler } = recorder();
  const service = await start(consumerService(handler), e.vars);
  const event = confirmedEvent();
  await publishEvent(e, event);
  await publishEvent(e, event);
  await waitFor(async () => ((await consumedOf(service, 'duplicate')) === 1 ? true : undefined));
  t.deepEqual(await effectsOf(service), [{ event_id: event.id, order_id: event.data.orderId }]);
  t.is(await consumedOf(service, 'ack'), 1);
});

test('when a message is not JSON or fails its schema, then it goes straight to the DLQ with its error', async (t) => {
  const e = await env('malformed');
  const { handler, calls } = recorder();
  const service = await start(consumerService(handler), e.vars);
  const good = confirmedEvent();
  await publishEvent(e, good, '{not json');
  const badData = { ...confirmedEvent(), data: { orderId: 'not-a-uuid' } };
  await publishEvent(e, badData as never);
  await waitFor(async () => ((await consumedOf(service, 'dead_letter')) === 2 ? true : undefined));
  const parked = await drainQueue(e, 'audit.dlq');
  t.is(parked.length, 2);
  t.is(parked[0]?.raw, '{not json');
  t.regex(String(parked[0]?.headers['x-orderly-error']), /JSON/);
  t.regex(String(parked[1]?.headers['x-orderly-error']), /orderId/);
  t.is(parked[1]?.headers['x-orderly-attempts'], 1);
  t.is(calls(), 0, 'the handler never saw a malformed message');
  t.is(await consumedOf(service, 'retry'), 0);
});

test('when a handler fails twice and then succeeds, then the event is retried with back-off and has one effect', async (t) => {
  const e = await env('retry');
  const { handler, calls } = recorder((n) => (n <= 2 ? new Error(`transient failure ${n}`) : undefined));
  const service = await start(consumerService(handler), e.vars);
  const event = confirmedEvent();
  await publishEvent(e, event);
  // The outcome is counted just after the commit that makes the effect visible: wait for the count.
  await waitFor(async () => ((await consumedOf(service, 'ack')) === 1 ? true : undefined));
  t.is((await effectsOf(service)).length, 1);
  t.is(calls(), 3);
  t.is(await consumedOf(service, 'retry'), 2);
  t.deepEqual(await drainQueue(e, 'audit.dlq'), []);
});

test('when a handler keeps failing, then after the last attempt the event is parked in the DLQ with the error and attempt count', async (t) => {
  const e = await env('parked');
  const { handler, calls } = recorder(() => new Error('payment provider down'));
  const service = await start(consumerService(handler), e.vars);
  const event = confirmedEvent();
  await publishEvent(e, event);
  await waitFor(async () => ((await consumedOf(service, 'dead_letter')) === 1 ? true : undefined));
  t.is(calls(), 3);
  const [parked] = await drainQueue(e, 'audit.dlq');
  t.is(parked?.messageId, event.id);
  t.is(parked?.headers['x-orderly-attempts'], 3);
  t.regex(String(parked?.headers['x-orderly-error']), /payment provider down/);
  t.deepEqual(await effectsOf(service), []);
});

test('when the relay dies between publish and mark-sent, then the republished event is absorbed by the inbox', async (t) => {
  const e = await env('relay');
  const { handler } = recorder();
  const service = await start(consumerService(handler), e.vars);
  const producer = await start(consumerService(), { ...e.vars, ...e.envFor('order') });
  const orderId = crypto.randomUUID();
  await producer.db.transaction(async (tx) => {
    tx.emit('order.confirmed', orderId, { orderId, customerId: 'C1', email: 'c1@example.com', totalCents: 1, currency: 'EUR' });
  });
  await waitFor(async () => ((await effectsOf(service)).length === 1 ? true : undefined));
  const unsent = async () => (await producer.db.pool.query('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL')).rows[0].n;
  await waitFor(async () => ((await unsent()) === 0 ? true : undefined), { what: 'the row marked sent' });
  // What a crash after the broker's confirm but before the mark leaves behind: a sent row still unsent.
  await producer.db.pool.query('UPDATE outbox SET published_at = NULL');
  await waitFor(async () => ((await consumedOf(service, 'duplicate')) === 1 ? true : undefined));
  t.is((await effectsOf(service)).length, 1);
  // The sweep marks the row in the transaction that published it, which commits after the confirm.
  await waitFor(async () => ((await unsent()) === 0 ? true : undefined), { what: 'the republished row marked sent' });
});

test('when an event is published while its consumer is down, then it is handled once the consumer comes back', async (t) => {
  const e = await env('offline');
  // A producer alone asserts the whole topology, so the consumer's queue exists before anyone consumes.
  const producer = await start(consumerService(), { ...e.vars, ...e.envFor('order') });
  const orderId = crypto.randomUUID();
  await producer.db.transaction(async (tx) => {
    tx.emit('order.confirmed', orderId, { orderId, customerId: 'C1', email: 'c1@example.com', totalCents: 1, currency: 'EUR' });
  });
  await waitFor(async () => ((await producer.metrics.published.get()).values.length > 0 ? true : undefined));
  const { handler } = recorder();
  const consumer = await start(consumerService(handler), e.vars);
  await waitFor(async () => ((await effectsOf(consumer)).length === 1 ? true : undefined));
  t.deepEqual(
    (await effectsOf(consumer)).map((r) => (r as { order_id: string }).order_id),
    [orderId],
  );
});

test('when the broker drops the connection, then the service reconnects and keeps consuming', async (t) => {
  const e = await env('reconnect');
  const { handler } = recorder();
  const service = await start(consumerService(handler), e.vars);
  const connections = await waitFor(async () => {
    const res = await e.management(`api/vhosts/${e.vhost}/connections`);
    const list = (await res.json()) as { name: string }[];
    return list.length > 0 ? list : undefined;
  });
  for (const c of connections) {
    await e.management(`api/connections/${encodeURIComponent(c.name)}`, { method: 'DELETE', headers: { 'X-Reason': 'test' } });
  }
  await waitFor(async () => {
    const events = (await service.metrics.brokerConnections.get()).values;
    return events.some((v) => v.labels.event === 'connect' && v.value >= 2) ? true : undefined;
  });
  const event = confirmedEvent();
  await publishEvent(e, event);
  await waitFor(async () => ((await effectsOf(service)).length === 1 ? true : undefined));
  t.deepEqual(await effectsOf(service), [{ event_id: event.id, order_id: event.data.orderId }]);
});

test('when a message keeps being returned to its queue, then the delivery limit policy parks it in the DLQ', async (t) => {
  const e = await env('delivery-limit', { DELIVERY_LIMIT: '2' });
  // The service only applies the topology and its policies; a raw consumer plays the crashing one.
  await start(consumerService(), { ...e.vars, AMQP_URL: e.amqpUrlFor('order') });
  const event = confirmedEvent();
  // Straight into the queue: the audit queue now takes only retries and redrives (it reads the stream).
  await publishRaw(e, '', 'audit', JSON.stringify(event), { type: event.type, messageId: event.id });
  const amqp = (await import('amqplib')).default;
  const conn = await amqp.connect(e.amqpUrl);
  cleanups.push(() => conn.close().catch(() => {}));
  const ch = await conn.createChannel();
  let deliveries = 0;
  await ch.consume('audit', (msg) => {
    if (!msg) return;
    deliveries += 1;
    ch.nack(msg, false, true);
  });
  const parked = await takeMessages(e, 'audit.dlq', 1);
  t.is(parked[0]?.messageId, event.id);
  t.is(deliveries, 3, 'delivered once plus the two redeliveries the limit allows');
});
