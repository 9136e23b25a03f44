import { createConnection, createServer, type Socket } from 'node:net';
import test from 'ava';
import { createTestEnv, toolConnection } from '../src/testing/index.js';

/**
 * The chaos run kills the broker under its own tools' connections. A tool's connection reset by a
 * dying broker must fail its pending operation, not the process: the chaos harness once died of an
 * unhandled 'error' event (read ECONNRESET) when a rabbitmq-kill landed while it waited for a confirm.
 */
test('when a tool connection is reset mid-operation, then the operation fails and the process lives on', async (t) => {
  const e = await createTestEnv('tool_connection');
  t.teardown(() => e.cleanup());
  // A proxy in front of the broker whose client side is reset (RST), as a killed broker's socket is.
  const broker = new URL(e.amqpUrl);
  const clients: Socket[] = [];
  const proxy = createServer((client) => {
    const upstream = createConnection({ host: broker.hostname, port: Number(broker.port || 5672) });
    client.pipe(upstream).pipe(client);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    clients.push(client);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  t.teardown(() => proxy.close());
  const url = new URL(e.amqpUrl);
  url.host = `127.0.0.1:${(proxy.address() as { port: number }).port}`;
  const conn = await toolConnection(url.href);
  const ch = await conn.createConfirmChannel();
  const closed = new Promise<void>((r) => conn.once('close', () => r()));
  ch.publish('', 'nowhere', Buffer.from('x'));
  const pending = ch.waitForConfirms().then(
    () => 'confirmed',
    () => 'failed',
  );
  for (const c of clients) c.resetAndDestroy();
  await closed;
  // Settled (confirmed just before the reset, or failed by it), and this process is still here to see it.
  t.not(await Promise.race([pending, new Promise((r) => setTimeout(() => r('pending'), 5_000))]), 'pending');
});
