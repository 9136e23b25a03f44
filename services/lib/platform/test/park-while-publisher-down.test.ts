import { exchanges } from '@orderly/events';
import test from 'ava';
import type { AnyHandler } from '../src/inbound/consumer.js';
import { type ServiceDefinition, startService } from '../src/service.js';
import { ConnectionDropper, createTestEnv, publishRaw, takeMessages, waitFor } from '../src/testing/index.js';
import { fixtureConfig, recorder } from './fixture/service.js';

/**
 * Parking a message publishes its copy to the dead-letter exchange, on the service's publishing
 * connection, which is not the consuming one. In the 20-minute chaos run a poison message arrived
 * just after a broker kill, while the publisher was still reconnecting: each park failed at once,
 * the message went back to the queue, came back within a millisecond, and 21 rounds later the
 * broker dead-lettered it for its delivery limit, without the consumer's reason. A park now waits
 * for the publisher (a few seconds) before it gives the message back.
 */
const shippingService = (handler: AnyHandler): ServiceDefinition<typeof fixtureConfig> => ({
  name: 'shipping',
  configSchema: fixtureConfig,
  moduleUrl: new URL('./fixture/package.json', import.meta.url).href,
  build: () => ({ consumers: { shipping: { '*': handler } } }),
});

test('when a poison message arrives while the publishing connection is down, then it is parked with its reason once the publisher is back', async (t) => {
  t.timeout(60_000);
  const e = await createTestEnv('park-publisher-down');
  t.teardown(() => e.cleanup());
  // Only the publishing connection (orderly-shipping-publish) is dropped, at once, each time it connects.
  const dropper = await ConnectionDropper.start(e.amqpUrl, ['orderly-shipping-publish'], 0);
  t.teardown(() => dropper.close());
  const service = await startService(shippingService(recorder().handler), {
    ...e.envFor('shipping'),
    AMQP_URL: dropper.urlFor(e.amqpUrlFor('shipping')),
    DELIVERY_LIMIT: '5',
  });
  t.teardown(() => service.stop());
  dropper.arm();
  await waitFor(async () => (dropper.dropped >= 1 ? true : undefined), { what: 'the publishing connection dropped' });
  await publishRaw(e, exchanges.events, 'order.confirmed', 'this is not json', { type: 'order.confirmed', as: 'order' });
  // Down for longer than five deliveries take when each failed park returns the message at once.
  await new Promise((r) => setTimeout(r, 2_000));
  dropper.disarm();
  const parked = await takeMessages(e, 'shipping.dlq', 1, { what: 'the poison message in shipping.dlq', timeoutMs: 30_000 });
  t.is(parked.length, 1);
  t.regex(String(parked[0]!.headers['x-orderly-error']), /^SyntaxError/, JSON.stringify(parked[0]!.headers));
});
