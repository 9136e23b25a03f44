/**
 * The floor under one hop of an order, measured without the services: what the broker and the
 * database cost a single message on an idle machine, so the per-hop times of hop-latency.ts can be
 * read against them. Each figure is N one-at-a-time samples with a pause between them (an idle
 * stack, not a throughput test), in a scratch vhost and database of their own.
 *
 *  - broker: a persistent, mandatory publish with confirms to a topic exchange bound to a quorum
 *    queue, consumed on another connection: publish → confirm and publish → delivery;
 *  - database: BEGIN + INSERT + COMMIT pipelined in one round trip, and a bare SELECT 1;
 *  - Node: a setImmediate and a 0 ms setTimeout from inside an I/O callback.
 *
 * Usage: node --conditions=source --import tsx scripts/bench/hop-floor.ts [--samples 200] [--pause-ms 30]
 */
import { parseArgs } from 'node:util';
import { createScratch } from '@orderly/platform/testing';
import amqp from 'amqplib';
import pg from 'pg';
import { summarize } from './percentiles.ts';

const { values } = parseArgs({ options: { samples: { type: 'string', default: '200' }, 'pause-ms': { type: 'string', default: '30' } } });
const samples = Number(values.samples);
const pauseMs = Number(values['pause-ms']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();

function print(name: string, ms: number[]): void {
  const s = summarize(ms);
  console.log(
    `${name.padEnd(44)} p50 ${s.p50.toFixed(2).padStart(6)}  p95 ${s.p95.toFixed(2).padStart(6)}  p99 ${s.p99.toFixed(2).padStart(6)} ms`,
  );
}

async function broker(url: string): Promise<void> {
  const pub = await amqp.connect(url, { noDelay: true });
  const sub = await amqp.connect(url, { noDelay: true });
  const setup = await pub.createChannel();
  await setup.assertExchange('floor', 'topic', { durable: true });
  await setup.assertQueue('floor.q', { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await setup.bindQueue('floor.q', 'floor', '#');
  const ch = await pub.createConfirmChannel();
  const consumer = await sub.createChannel();
  await consumer.prefetch(10);
  let delivered: (() => void) | undefined;
  await consumer.consume('floor.q', (m) => {
    if (!m) return;
    consumer.ack(m);
    delivered?.();
  });
  const body = Buffer.alloc(900, 'x'); // about an order event's size
  const confirm: number[] = [];
  const delivery: number[] = [];
  for (let i = 0; i < samples; i++) {
    await sleep(pauseMs);
    const t0 = now();
    const got = new Promise<void>((r) => {
      delivered = r;
    });
    const confirmed = new Promise<void>((r, j) =>
      ch.publish('floor', 'k', body, { persistent: true, mandatory: true }, (err) => (err ? j(err) : r())),
    ).then(() => confirm.push(now() - t0));
    await Promise.all([got.then(() => delivery.push(now() - t0)), confirmed]);
  }
  print('broker: publish → confirm (quorum queue)', confirm);
  print('broker: publish → delivery (quorum queue)', delivery);
  await pub.close();
  await sub.close();
}

async function database(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, pipeline: true } as pg.ClientConfig);
  await client.connect();
  await client.query('CREATE TABLE IF NOT EXISTS floor (id bigserial PRIMARY KEY, body text)');
  const commit: number[] = [];
  const select: number[] = [];
  for (let i = 0; i < samples; i++) {
    await sleep(pauseMs);
    let t0 = now();
    await Promise.all([
      client.query('BEGIN'),
      client.query('INSERT INTO floor (body) VALUES ($1)', ['x'.repeat(900)]),
      client.query('COMMIT'),
    ]);
    commit.push(now() - t0);
    t0 = now();
    await client.query('SELECT 1');
    select.push(now() - t0);
  }
  print('database: BEGIN + INSERT + COMMIT, one round trip', commit);
  print('database: SELECT 1', select);
  await client.end();
}

async function node(): Promise<void> {
  const immediate: number[] = [];
  const timeout: number[] = [];
  for (let i = 0; i < samples; i++) {
    await sleep(pauseMs);
    let t0 = now();
    await new Promise((r) => setImmediate(r));
    immediate.push(now() - t0);
    t0 = now();
    await new Promise((r) => setTimeout(r, 0));
    timeout.push(now() - t0);
  }
  print('node: setImmediate', immediate);
  print('node: setTimeout(0)', timeout);
}

const scratch = await createScratch('orderly_hop_floor', undefined, { replace: true });
try {
  console.log(`${samples} samples each, ${pauseMs} ms apart`);
  await broker(scratch.amqpUrl);
  await database(scratch.databaseUrl);
  await node();
} finally {
  await scratch.drop();
}
