/**
 * What one event costs the broker, as the two topologies for the readers that only record would
 * spend it: routed to K quorum queues (one copy each, each consumed and acknowledged), or appended
 * once to a stream that K readers read. Counts the broker's own CPU time (/proc/<pid>/stat of its
 * beam.smp) over publishing N persistent events with confirms and delivering them to every reader,
 * so load elsewhere on the machine does not count. Run it against a broker node of its own (no
 * other client on it), on each RabbitMQ version to compare.
 *
 * Usage: node --import tsx scripts/bench/broker-cost.ts --amqp amqp://guest:guest@127.0.0.1:5692/ --pid <beam.smp pid>
 *          [--messages 20000] [--readers 3] [--rounds 3] [--bytes 700] [--window 256]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import amqp from 'amqplib';

const { values } = parseArgs({
  options: {
    amqp: { type: 'string' },
    pid: { type: 'string' },
    messages: { type: 'string', default: '20000' },
    readers: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    bytes: { type: 'string', default: '700' },
    window: { type: 'string', default: '256' },
  },
});
if (!values.amqp || !values.pid) {
  console.error('usage: broker-cost.ts --amqp <url of a broker of its own> --pid <its beam.smp pid> [--messages N] [--readers K]');
  process.exit(2);
}
const url = values.amqp;
const pid = Number(values.pid);
const messages = Number(values.messages);
const readers = Number(values.readers);
const rounds = Number(values.rounds);
const body = Buffer.alloc(Number(values.bytes), 'x');
/** Events in flight: published before waiting for their confirms, and each reader's prefetch. */
const window = Number(values.window);
const ackEvery = Math.min(50, window);
const idleSampleMs = 5000;

/** The broker's CPU seconds so far (user + system; /proc's clock ticks are 1/100 s on Linux). */
function brokerCpuSeconds(): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

type Topology = 'quorum' | 'stream';

async function round(topology: Topology): Promise<{ cpuUsPerEvent: number; seconds: number }> {
  const conn = await amqp.connect(url);
  const exchange = `cost.${topology}`;
  const queues = topology === 'quorum' ? Array.from({ length: readers }, (_, i) => `cost.q${i}`) : ['cost.stream'];
  const setup = await conn.createChannel();
  await setup.assertExchange(exchange, 'topic', { durable: true });
  for (const q of queues) {
    await setup.deleteQueue(q).catch(() => undefined);
  }
  const setup2 = await conn.createChannel();
  for (const q of queues) {
    await setup2.assertQueue(q, { durable: true, arguments: { 'x-queue-type': topology } });
    await setup2.bindQueue(q, exchange, '#');
  }
  // K readers: one per quorum queue, or K on the one stream, each on a channel of its own.
  let done = 0;
  const finished = new Promise<void>((resolve) => {
    const readerQueues = topology === 'quorum' ? queues : Array.from({ length: readers }, () => queues[0]!);
    for (const q of readerQueues) {
      void conn.createChannel().then(async (ch) => {
        await ch.prefetch(window);
        let seen = 0;
        await ch.consume(
          q,
          (msg) => {
            if (!msg) return;
            seen++;
            if (seen % ackEvery === 0 || seen === messages) ch.ack(msg, true);
            if (seen === messages && ++done === readerQueues.length) resolve();
          },
          topology === 'stream' ? { arguments: { 'x-stream-offset': 'next' } } : {},
        );
      });
    }
  });
  await new Promise((r) => setTimeout(r, 500)); // the stream readers attach before the first event
  const pub = await conn.createConfirmChannel();
  // The broker's idle CPU (timers, stats) is not the events' cost: measured just before, subtracted.
  const idle0 = brokerCpuSeconds();
  await new Promise((r) => setTimeout(r, idleSampleMs));
  const idlePerSecond = (brokerCpuSeconds() - idle0) / (idleSampleMs / 1000);
  const cpu0 = brokerCpuSeconds();
  const t0 = performance.now();
  for (let sent = 0; sent < messages; ) {
    const batch = Math.min(window, messages - sent);
    for (let i = 0; i < batch; i++) pub.publish(exchange, 'order.placed', body, { persistent: true, contentType: 'application/json' });
    sent += batch;
    await pub.waitForConfirms();
  }
  await finished;
  const seconds = (performance.now() - t0) / 1000;
  const cpu = brokerCpuSeconds() - cpu0 - idlePerSecond * seconds;
  for (const q of queues) await setup2.deleteQueue(q).catch(() => undefined);
  await conn.close();
  return { cpuUsPerEvent: (cpu * 1e6) / messages, seconds };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const results: Record<Topology, number[]> = { quorum: [], stream: [] };
for (let r = 0; r < rounds; r++) {
  for (const t of ['quorum', 'stream'] as const) {
    const { cpuUsPerEvent, seconds } = await round(t);
    results[t].push(cpuUsPerEvent);
    console.log(
      `round ${r + 1} ${t.padEnd(6)}: ${cpuUsPerEvent.toFixed(0)} µs of broker CPU per event (${readers} readers), ${seconds.toFixed(1)} s`,
    );
  }
}
for (const t of ['quorum', 'stream'] as const) {
  const m = median(results[t]);
  console.log(`${t.padEnd(6)} median: ${m.toFixed(0)} µs per event, ${(m / readers).toFixed(0)} µs per reader's copy`);
}
