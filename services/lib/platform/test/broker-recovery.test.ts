import { topology } from '@orderly/events';
import test from 'ava';
import { Broker } from '../src/bus/broker.js';
import { createLogger } from '../src/logger.js';
import { createMetrics } from '../src/metrics.js';
import { ConnectionDropper, createTestEnv } from '../src/testing/index.js';

test('when the connection is lost while the topology is being asserted, then the broker connects again instead of ending the process', async (t) => {
  t.timeout(60_000);
  const e = await createTestEnv('broker-recovery');
  t.teardown(() => e.cleanup());
  const dropper = await ConnectionDropper.start(e.amqpUrl, ['orderly-recovery'], 50);
  t.teardown(() => dropper.close());
  dropper.arm();
  const metrics = createMetrics('test');
  setTimeout(() => dropper.disarm(), 3_000);
  const broker = await Broker.connect({
    url: dropper.urlFor(e.amqpUrlFor('order')),
    topology: topology({ mode: 'choreography', deliveryLimit: 20 }),
    logger: createLogger('test', 'silent'),
    metrics,
    name: 'orderly-recovery',
    role: 'publish',
    connectAttempts: 100,
  });
  t.teardown(() => broker.close());
  t.log(`dropped ${dropper.dropped} connections during set-up before it held`);
  t.true(dropper.dropped >= 2);
  const connects = (await metrics.brokerConnections.get()).values.filter((v) => v.labels.event === 'connect');
  t.is(
    connects.reduce((n, v) => n + v.value, 0),
    1,
    'connected once, after the drops',
  );
});
