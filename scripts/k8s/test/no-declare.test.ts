import { randomBytes } from 'node:crypto';
import { connect, createServer, type Server } from 'node:net';
import { consumerQueues, publishers, topology } from '@orderly/events';
import { assertTopology, createLogger } from '@orderly/platform';
import amqp from 'amqplib';
import test from 'ava';
import { awaitTopology, checkTopology } from '../../../services/lib/platform/src/bus/topology.js';
import { amqpUrlFor, brokerTargets, management, must } from './brokers.js';

/**
 * At the wire: with BROKER_DECLARE_TOPOLOGY=false a service sends no
 * exchange.declare or queue.declare at all — not even passive ones, which RabbitMQ 4.2.6 and
 * 4.3.0 refuse without the configure permission (and which 3.10 and 4.3.6 would let through, so
 * only counting the frames catches them coming back). The connection's set-up hook
 * (checkTopology) and the start-up wait (awaitTopology) talk to the broker through a proxy that
 * counts the client's AMQP method frames.
 */
const declares = new Map<number, string>([
  [(40 << 16) | 10, 'exchange.declare'],
  [(50 << 16) | 10, 'queue.declare'],
]);

/** A TCP proxy to the broker that records the client's method frames (class << 16 | method). */
async function countingProxy(brokerPort: number) {
  const seen: string[] = [];
  const server: Server = createServer((client) => {
    const upstream = connect(brokerPort, '127.0.0.1');
    let buffer = Buffer.alloc(0);
    let headerDone = false;
    client.on('data', (chunk) => {
      upstream.write(chunk);
      buffer = Buffer.concat([buffer, chunk]);
      if (!headerDone && buffer.length >= 8) {
        buffer = buffer.subarray(8); // "AMQP\0\0\x09\x01"
        headerDone = true;
      }
      while (headerDone && buffer.length >= 7) {
        const size = buffer.readUInt32BE(3);
        if (buffer.length < 7 + size + 1) break;
        if (buffer[0] === 1) {
          const id = buffer.readUInt32BE(7);
          seen.push(declares.get(id) ?? `${id >> 16}.${id & 0xffff}`);
        }
        buffer = buffer.subarray(7 + size + 1);
      }
    });
    upstream.on('data', (d) => client.write(d));
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as { port: number }).port, seen, close: () => server.close() };
}

for (const target of brokerTargets) {
  test(`[${target.name} broker] the operator-owned path sends no declare frame, passive or not`, async (t) => {
    t.timeout(60_000);
    const vhost = `nodeclare_${randomBytes(3).toString('hex')}`;
    await must(management(target, `api/vhosts/${vhost}`, { method: 'PUT' }));
    await must(
      management(target, `api/permissions/${vhost}/guest`, {
        method: 'PUT',
        body: JSON.stringify({ configure: '.*', write: '.*', read: '.*' }),
      }),
    );
    const proxy = await countingProxy(Number(new URL(target.amqpUrl).port || 5672));
    try {
      const definition = topology({ mode: 'choreography', deliveryLimit: 20 });
      const admin = await amqp.connect(amqpUrlFor(target, 'guest', 'guest', vhost));
      await assertTopology(admin, definition);
      await admin.close();
      const url = amqpUrlFor({ ...target, amqpUrl: `amqp://127.0.0.1:${proxy.port}/` }, 'guest', 'guest', vhost);
      const model = await amqp.connect(url);
      await checkTopology(model, definition);
      await model.close();
      const needs = {
        exchanges: publishers('choreography').inventory,
        queues: consumerQueues('choreography')
          .filter((c) => c.service === 'inventory')
          .map((c) => c.queue),
      };
      await awaitTopology(url, needs, createLogger('no-declare', 'silent'));
      t.true(proxy.seen.includes('60.20'), 'the probes ran (basic.consume seen)');
      t.deepEqual(
        proxy.seen.filter((m) => m.endsWith('.declare')),
        [],
      );
    } finally {
      proxy.close();
      await management(target, `api/vhosts/${vhost}`, { method: 'DELETE' });
    }
  });
}
