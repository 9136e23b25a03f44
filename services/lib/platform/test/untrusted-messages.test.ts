import { exchanges } from '@orderly/events';
import amqp from 'amqplib';
import test from 'ava';
import { Broker } from '../src/bus/broker.js';
import { createLogger } from '../src/logger.js';
import { createMetrics } from '../src/metrics.js';
import { Publisher } from '../src/outbound/publisher.js';
import { startService } from '../src/service.js';
import { consumedCount, createTestEnv, drainQueue, publishRaw, type TestEnv, takeMessages, waitFor } from '../src/testing/index.js';
import { confirmedEvent, consumerService, recorder } from './fixture/service.js';

/**
 * On the real broker: who published a message is checked (the envelope's
 * source and the broker-verified user_id must name the catalog's producer), headers from outside
 * are not believed, a refused publish does not leave the publisher without a channel, and text
 * that is not well-formed Unicode is parked at once.
 */
const cleanups: (() => Promise<unknown>)[] = [];
test.after.always(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

async function consumerUnderTest(name: string, fail?: (n: number) => Error | undefined) {
  const e = await createTestEnv(name);
  cleanups.push(() => e.cleanup());
  const rec = recorder(fail);
  const service = await startService(consumerService(rec.handler), { ...e.envFor('audit'), RETRY_MAX_ATTEMPTS: '3' });
  cleanups.push(() => service.stop());
  return { e, service, calls: rec.calls };
}

const parkedIn = (e: TestEnv, queue: string, n: number) => takeMessages(e, queue, n);

test('when an event claims another producer, or is published by another service or nobody, then it is parked with the reason and never handled', async (t) => {
  const { e, service, calls } = await consumerUnderTest('forged');
  const publish = (event: object & { id: string; type: string }, as?: string) =>
    publishRaw(e, exchanges.events, event.type, JSON.stringify(event), { type: event.type, messageId: event.id, ...(as ? { as } : {}) });
  // The attack: audit's credentials, an envelope saying it comes from audit.
  const fromAudit = { ...confirmedEvent(), source: 'orderly/audit' };
  await publish(fromAudit, 'audit');
  // The right source, but published with payment's credentials.
  await publish(confirmedEvent(), 'payment');
  // The right source, published without a user_id (the administrator, or anyone on an old client).
  await publish(confirmedEvent());
  // A claimed user_id that is not the connection's user is refused by the broker itself.
  const conn = await amqp.connect(e.amqpUrlFor('audit'));
  cleanups.push(() => conn.close());
  const ch = await conn.createConfirmChannel();
  ch.on('error', () => {});
  ch.publish(exchanges.events, 'order.confirmed', Buffer.from(JSON.stringify(confirmedEvent())), { userId: `${e.vhost}.order` });
  await t.throwsAsync(ch.waitForConfirms());
  // The genuine one still goes through.
  await publish(confirmedEvent(), 'order');

  const parked = await parkedIn(e, 'audit.dlq', 3);
  const reasons = parked.map((m) => String(m.headers['x-orderly-error']));
  t.regex(reasons[0]!, /order\.confirmed is produced by orderly\/order, not orderly\/audit/);
  t.regex(reasons[1]!, new RegExp(`must be published by broker user ${e.vhost}\\.order, was published by ${e.vhost}\\.payment`));
  t.regex(reasons[2]!, /was published by an unnamed user/);
  await waitFor(async () => ((await consumedCount(service, { outcome: 'ack' })) === 1 ? true : undefined));
  t.is(calls(), 1, 'only the genuine event reached the handler');
});

test('when x-orderly-attempt is not a number (or claims the last attempt), then it is ignored: the event is retried and handled', async (t) => {
  const { e, service, calls } = await consumerUnderTest('attempt-header', (n) => (n === 1 ? new Error('transient') : undefined));
  for (const attempt of ['abc', 99, -1]) {
    const event = confirmedEvent();
    await publishRaw(e, exchanges.events, event.type, JSON.stringify(event), {
      type: event.type,
      messageId: event.id,
      headers: { 'x-orderly-attempt': attempt },
      as: 'order',
    });
  }
  await waitFor(async () => ((await consumedCount(service, { outcome: 'ack' })) === 3 ? true : undefined));
  t.is(calls(), 4, 'the first failed once and was retried; none was parked');
  t.deepEqual(await drainQueue(e, 'audit.dlq'), []);
  // And the service can still publish: its own emits reach the queue.
  const orderId = crypto.randomUUID();
  const producer = await startService(consumerService(), e.envFor('order'));
  cleanups.push(() => producer.stop());
  await producer.db.transaction(async (tx) => {
    tx.emit('order.confirmed', orderId, { orderId, customerId: 'C1', email: 'c1@example.com', totalCents: 1, currency: 'EUR' });
  });
  await waitFor(async () => ((await consumedCount(service, { outcome: 'ack' })) === 4 ? true : undefined));
});

test('when the broker closes the confirm channel over one refused publish, then the publisher opens another and publishes again', async (t) => {
  const e = await createTestEnv('publisher-reopen');
  cleanups.push(() => e.cleanup());
  const logger = createLogger('test', 'silent');
  const metrics = createMetrics('test');
  const url = e.amqpUrlFor('order');
  const { topology } = await import('@orderly/events');
  const broker = await Broker.connect({
    url,
    topology: topology({ mode: 'choreography', deliveryLimit: 5 }),
    logger,
    metrics,
    name: 'reopen',
    role: 'publish',
  });
  cleanups.push(() => broker.close());
  const publisher = new Publisher(metrics, logger, decodeURIComponent(new URL(url).username), 2_000);
  await publisher.attach(broker);
  const message = (exchange: string) => ({
    exchange,
    routingKey: 'order.confirmed',
    content: Buffer.from('{}'),
    messageId: crypto.randomUUID(),
    type: 'order.confirmed',
  });
  // NOT_FOUND closes the channel, as PRECONDITION_FAILED did for a NaN expiration.
  await t.throwsAsync(publisher.publish(message('orderly.no-such-exchange')));
  await waitFor(async () => (publisher.connected ? true : undefined), { what: 'a new confirm channel' });
  t.true(await publisher.publish(message(exchanges.events)));
  // A NaN delay is published as 0, not refused.
  t.true(await publisher.publish({ ...message(exchanges.events), expiration: Number.NaN }));
});

test('when an event carries a lone surrogate or a NUL anywhere, then it is parked at once with the reason, not retried', async (t) => {
  const { e, service, calls } = await consumerUnderTest('text');
  const lone = confirmedEvent();
  // JSON.stringify writes a lone surrogate as the escape \ud800, which JSON.parse turns back into one.
  const loneJson = JSON.stringify({ ...lone, data: { ...lone.data, customerId: '\ud800' } });
  const nul = confirmedEvent();
  const nulJson = JSON.stringify({ ...nul, subject: `${nul.subject}\u0000` });
  for (const [ev, json] of [
    [lone, loneJson],
    [nul, nulJson],
  ] as const)
    await publishRaw(e, exchanges.events, ev.type, json, { type: ev.type, messageId: ev.id, as: 'order' });
  const parked = await parkedIn(e, 'audit.dlq', 2);
  t.regex(String(parked[0]?.headers['x-orderly-error']), /data\.customerId: contains a lone surrogate/);
  t.regex(String(parked[1]?.headers['x-orderly-error']), /subject: contains a control character/);
  t.is(calls(), 0);
  t.is(await consumedCount(service, { outcome: 'retry' }), 0);
  // The emitting side refuses it too: a producer bug fails where it is.
  const producer = await startService(consumerService(), e.envFor('order'));
  cleanups.push(() => producer.stop());
  const orderId = crypto.randomUUID();
  await t.throwsAsync(
    producer.db.transaction(async (tx) => {
      tx.emit('order.confirmed', orderId, { orderId, customerId: '\ud800', email: 'c1@example.com', totalCents: 1, currency: 'EUR' });
    }),
    { message: /lone surrogate/ },
  );
});
