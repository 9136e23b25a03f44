import { setTimeout as sleep } from 'node:timers/promises';
import { exchanges } from '@orderly/events';
import test from 'ava';
import { awaitTopology } from '../src/bus/topology.js';
import type { AnyHandler } from '../src/inbound/consumer.js';
import { createLogger } from '../src/logger.js';
import { type RunningService, type ServiceDefinition, startService } from '../src/service.js';
import {
  ConnectionDropper,
  consumedCount,
  createTestEnv,
  drainQueue,
  headerBomb,
  publishRaw,
  publishRawHeaders,
  type TestEnv,
  takeMessages,
  waitFor,
} from '../src/testing/index.js';
import { confirmedEvent, consumerService, fixtureConfig, recorder } from './fixture/service.js';

/**
 * On the real broker: a 35 kB headers table nested 5,000 deep made amqplib's
 * decoder throw, which closed the consumer's connection; the message came back first after every
 * reconnect, and no genuine order behind it was handled. And a service's publishing must not
 * depend on its consumers' connection.
 */
const cleanups: (() => Promise<unknown>)[] = [];
// Each clean-up bounded: a stop that never ends fails its own test (below), not the whole run by hanging.
test.after.always(async () => {
  for (const c of cleanups.reverse()) {
    const timedOut = await Promise.race([
      c().then(
        () => false,
        () => false,
      ),
      sleep(30_000, true, { ref: false }),
    ]);
    if (timedOut) console.warn('header-bomb test: a clean-up did not finish within 30 s');
  }
});

async function env(name: string): Promise<TestEnv> {
  const e = await createTestEnv(name);
  cleanups.push(() => e.cleanup());
  return e;
}

/** A service on the shipping queue (a quorum queue bound to order.confirmed) with the handler under test. */
const shippingService = (handler: AnyHandler): ServiceDefinition<typeof fixtureConfig> => ({
  name: 'shipping',
  configSchema: fixtureConfig,
  moduleUrl: new URL('./fixture/package.json', import.meta.url).href,
  build: () => ({ consumers: { shipping: { '*': handler } } }),
});

const connectionEvents = async (service: RunningService<unknown>, event: string, connection?: string) =>
  (await service.metrics.brokerConnections.get()).values
    .filter((v) => v.labels.event === event && (connection === undefined || v.labels.connection === connection))
    .reduce((n, v) => n + v.value, 0);

test('when a header bomb is first in a consumer queue, then it is parked with its reason, all 10 genuine orders behind it are handled, and no connection drops', async (t) => {
  const e = await env('header-bomb');
  const rec = recorder();
  const service = await startService(shippingService(rec.handler), { ...e.envFor('shipping'), RETRY_MAX_ATTEMPTS: '3' });
  cleanups.push(() => service.stop());
  const bomb = confirmedEvent();
  await publishRawHeaders(e, exchanges.events, 'order.confirmed', Buffer.from(JSON.stringify(bomb)), headerBomb(5_000), {
    as: 'order',
    type: bomb.type,
    messageId: bomb.id,
  });
  for (let i = 0; i < 10; i++) {
    const event = confirmedEvent();
    await publishRaw(e, exchanges.events, event.type, JSON.stringify(event), { type: event.type, messageId: event.id, as: 'order' });
  }
  await waitFor(async () => ((await consumedCount(service, { outcome: 'ack' })) >= 10 ? true : undefined), {
    timeoutMs: 20_000,
    what: '10 genuine orders handled',
  }).catch(() => undefined);
  const disconnects = await connectionEvents(service, 'disconnect');
  t.log(`handled ${rec.calls()} of 10 genuine orders; ${disconnects} connection losses`);
  t.is(rec.calls(), 10, '10 of 10 genuine orders handled');
  t.is(disconnects, 0, 'no connection was lost');
  const parked = await takeMessages(e, 'shipping.dlq', 1, { what: 'the bomb in shipping.dlq' });
  t.is(parked.length, 1);
  t.is(parked[0]!.messageId, bomb.id, 'the bomb, its body and id intact');
  t.regex(String(parked[0]!.headers['x-orderly-error']), /PermanentError: headers not decodable: tables nested deeper than 64/);
  const undecodable = (await service.metrics.undecodableHeaders.get()).values.reduce((n, v) => n + v.value, 0);
  t.is(undecodable, 1, 'counted in orderly_broker_undecodable_headers_total');
});

test("when the consumers' connection is dropped each time it connects (as a poison delivery did), then the service keeps publishing: its event is out at once", async (t) => {
  t.timeout(60_000);
  const e = await env('separate-connections');
  // Whatever carries the order service's consumers: its only connection before they were separated.
  const dropper = await ConnectionDropper.start(e.amqpUrl, ['orderly-order', 'orderly-order-consume']);
  cleanups.push(() => dropper.close());
  // The producer fixture (order): it consumes a queue of its own and publishes through its outbox.
  const service = await startService(consumerService(), { ...e.envFor('order'), AMQP_URL: dropper.urlFor(e.amqpUrlFor('order')) });
  cleanups.push(() => service.stop());
  dropper.arm();
  await waitFor(async () => (dropper.dropped >= 3 ? true : undefined), {
    timeoutMs: 20_000,
    what: "the consumers' connection dropped 3 times",
  });
  const orderId = crypto.randomUUID();
  const started = Date.now();
  await service.db.transaction(async (tx) => {
    tx.emit('order.confirmed', orderId, { orderId, customerId: 'C1', email: 'c1@example.com', totalCents: 1, currency: 'EUR' });
  });
  // shipping's queue takes order.confirmed, and nobody consumes it here.
  const taken = await waitFor(
    async () => {
      const got = await drainQueue(e, 'shipping');
      return got.length > 0 ? got : undefined;
    },
    { timeoutMs: 10_000, intervalMs: 50, what: 'the event in the shipping queue' },
  ).catch(() => []);
  const tookMs = Date.now() - started;
  t.log(`consumers' connection dropped ${dropper.dropped} times; the event was out in ${tookMs} ms`);
  t.is(taken.length, 1, 'the event was published');
  t.true(tookMs < 1_000, `published at once, not after a reconnect (${tookMs} ms)`);
  t.is((await fetch(`http://127.0.0.1:${service.port}/readyz`)).status, 200, 'still ready: its publisher kept its connection');
  t.is(await connectionEvents(service, 'disconnect', 'publish'), 0, 'the publishing connection was never lost');
  t.true((await connectionEvents(service, 'disconnect', 'consume')) >= 3, "the consumers' connection was");
  // And it still stops: with its consumers' connection dropped on every connect, then not.
  dropper.disarm();
  const stopped = await Promise.race([service.stop().then(() => true), sleep(15_000, false, { ref: false })]);
  t.true(stopped, 'the service stopped within 15 s');
});

test('when a message is larger than MESSAGE_MAX_BYTES, then it is parked as too large without being parsed, and the next one is handled', async (t) => {
  const e = await env('too-large');
  const rec = recorder();
  const service = await startService(shippingService(rec.handler), { ...e.envFor('shipping'), MESSAGE_MAX_BYTES: '65536' });
  cleanups.push(() => service.stop());
  // A valid event padded past the limit: parsing it would succeed, so only the bound refuses it.
  const big = confirmedEvent();
  const padded = `${JSON.stringify(big)}${' '.repeat(70_000)}`;
  await publishRaw(e, exchanges.events, big.type, padded, { type: big.type, messageId: big.id, as: 'order' });
  const next = confirmedEvent();
  await publishRaw(e, exchanges.events, next.type, JSON.stringify(next), { type: next.type, messageId: next.id, as: 'order' });
  const parked = await takeMessages(e, 'shipping.dlq', 1, { what: 'the large one in shipping.dlq' });
  t.is(parked[0]!.messageId, big.id);
  t.regex(
    String(parked[0]!.headers['x-orderly-error']),
    /PermanentError: too large: 70\d{3} bytes, the limit is 65536 \(MESSAGE_MAX_BYTES\)/,
  );
  await waitFor(async () => ((await consumedCount(service, { outcome: 'ack' })) >= 1 ? true : undefined), { what: 'the next one handled' });
  t.is(rec.calls(), 1, 'only the one within the limit reached the handler');
});

test('when a header bomb waits in a queue, then the topology probe of a service that declares nothing still finds the queue, instead of waiting for ever', async (t) => {
  t.timeout(60_000);
  const e = await env('probe-bomb');
  // Declared by someone else (the Topology Operator): the fixture service declares and stops.
  const owner = await startService(consumerService(), e.envFor('order'));
  await owner.stop();
  const bomb = confirmedEvent();
  await publishRawHeaders(e, exchanges.events, 'order.confirmed', Buffer.from(JSON.stringify(bomb)), headerBomb(5_000), { as: 'order' });
  const logger = createLogger('test', 'silent');
  const found = await Promise.race([
    awaitTopology(e.amqpUrlFor('shipping'), { exchanges: [], queues: ['shipping'] }, logger, { baseMs: 100, maxMs: 200 }).then(
      () => 'found',
    ),
    new Promise((r) => setTimeout(() => r('still waiting after 10 s'), 10_000)),
  ]);
  t.is(found, 'found');
});
