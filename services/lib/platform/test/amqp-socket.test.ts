import amqp from 'amqplib';
import test from 'ava';
import { createTestEnv } from '../src/testing/index.js';
import { amqpSocket } from '../src/throughput/amqp-socket.js';

/**
 * The broker connection's writes are gathered per event-loop turn through amqplib's private
 * socket (net/amqp-socket.ts). An amqplib upgrade that moves it would silently leave every frame
 * its own write(2): this test is what notices, against the real broker.
 */
test('when amqplib connects, then the socket its frames go through is reachable', async (t) => {
  const e = await createTestEnv('amqp_socket');
  t.teardown(() => e.cleanup());
  const model = await amqp.connect(e.amqpUrlFor('order'));
  t.teardown(() => model.close().catch(() => {}));
  const socket = amqpSocket(model);
  t.truthy(socket, 'amqplib.connect(...).connection.stream is a net.Socket');
  const before = socket!.bytesWritten;
  await model.createChannel();
  t.true(socket!.bytesWritten > before, 'the channel frames were written through that socket');
});
