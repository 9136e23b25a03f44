/**
 * RabbitMQ's own limit on this machine: persistent messages/s, published with confirms by several
 * publishers and consumed by one consumer acking each message, through one quorum queue (like the
 * services' queues), in a scratch vhost created and deleted here.
 */

import { createScratchVhost, deleteScratchVhost } from '@orderly/platform/testing';
import amqp from 'amqplib';
import { onCleanup } from './cleanup.ts';
import { benchServers } from './rabbit-api.ts';

export interface BrokerLimit {
  msgsPerSec: number;
  publishedPerSec: number;
  publishers: number;
  window: number;
  messageBytes: number;
  durationSec: number;
}

export async function measureBrokerLimit(options: { publishers: number; window: number; durationSec: number }): Promise<BrokerLimit> {
  const servers = benchServers();
  const vhost = `orderly-bench-${process.pid}`;
  const connections: amqp.ChannelModel[] = [];
  const tearDown = async () => {
    for (const c of connections.splice(0)) await c.close().catch(() => undefined);
    await deleteScratchVhost(servers.managementUrl, vhost).catch(() => undefined);
  };
  const unregister = onCleanup('scratch vhost', tearDown);
  try {
    const url = await createScratchVhost(servers, vhost);
    const consumerConn = await amqp.connect(url);
    const publisherConn = await amqp.connect(url);
    connections.push(consumerConn, publisherConn);
    const queue = 'bench.limit';
    const setupCh = await consumerConn.createChannel();
    await setupCh.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    const body = Buffer.from(
      JSON.stringify({
        specversion: '1.0',
        id: '00000000-0000-0000-0000-000000000000',
        source: 'orderly/inventory',
        type: 'inventory.reserved',
        subject: '00000000-0000-0000-0000-000000000000',
        time: new Date().toISOString(),
        data: {
          orderId: '00000000-0000-0000-0000-000000000000',
          items: [{ sku: 'TSHIRT-BLK-M', qty: 1, unitPriceCents: 1999 }],
          totalCents: 1999,
        },
      }).padEnd(700, ' '),
    );

    let consumed = 0;
    let counting = false;
    const consumerCh = await consumerConn.createChannel();
    await consumerCh.prefetch(256);
    await consumerCh.consume(queue, (msg) => {
      if (!msg) return;
      consumerCh.ack(msg);
      if (counting) consumed += 1;
    });

    let published = 0;
    const warmupMs = 1000;
    const start = performance.now();
    const measureFrom = start + warmupMs;
    const end = measureFrom + options.durationSec * 1000;
    const publisher = async () => {
      const ch = await publisherConn.createConfirmChannel();
      await new Promise<void>((resolve, reject) => {
        let inflight = 0;
        const pump = () => {
          while (inflight < options.window && performance.now() < end) {
            inflight += 1;
            ch.sendToQueue(queue, body, { persistent: true, contentType: 'application/cloudevents+json' }, (err) => {
              inflight -= 1;
              if (err) return reject(err);
              if (counting) published += 1;
              if (performance.now() < end) pump();
              else if (inflight === 0) resolve();
            });
          }
        };
        pump();
      });
    };
    const startCounting = setTimeout(() => {
      counting = true;
    }, warmupMs);
    const stopCounting = setTimeout(
      () => {
        counting = false;
      },
      warmupMs + options.durationSec * 1000,
    );
    await Promise.all(Array.from({ length: options.publishers }, publisher));
    clearTimeout(startCounting);
    clearTimeout(stopCounting);
    return {
      msgsPerSec: consumed / options.durationSec,
      publishedPerSec: published / options.durationSec,
      publishers: options.publishers,
      window: options.window,
      messageBytes: body.length,
      durationSec: options.durationSec,
    };
  } finally {
    unregister();
    await tearDown();
  }
}
