/**
 * Where the slowest orders lose their time at a steady rate: orders placed open loop at --rate per
 * second for --seconds on the seven services started in this process (a scratch vhost and database
 * of their own), every message of each order seen by a tap as in hop-latency.ts. Prints, for each
 * step of the path, its median over all orders beside its median over the slowest 5 % (by send →
 * order.confirmed tapped), and when those slow orders were sent: clustered times point at a stall
 * that hits everything in flight, spread ones at a step that is slow on its own. The garbage
 * collector's pauses of 5 ms or more are listed beside them (the services run in this process).
 *
 * Usage: node --conditions=source --import tsx scripts/bench/tail-latency.ts [--rate 50] [--seconds 30]
 *          [--services order,inventory,payment]   (only those: what the others' work costs the path)
 *          [--env STREAM_LINGER_MS=500,CONSUMER_LINGER_MS=500]   (settings for every service)
 *        (SAGA_MODE=orchestration for the orchestrated saga)
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { allServices, type ServiceName } from '@orderly/testkit';
import { tappedStack, wallMs } from './order-tap.ts';
import { summarize } from './percentiles.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '30' },
    services: { type: 'string' },
    env: { type: 'string' },
  },
});
const env = Object.fromEntries((values.env?.split(',') ?? []).map((kv) => kv.split('=', 2) as [string, string]));
const only = values.services?.split(',').map((s) => s.trim()) as ServiceName[] | undefined;
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const mode = process.env.SAGA_MODE === 'orchestration' ? 'orchestration' : 'choreography';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The services run in this process: its garbage collector's pauses are theirs.
const pauses: { atMs: number; ms: number; kind: number }[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (e.duration >= 5)
      pauses.push({
        atMs: performance.timeOrigin + e.startTime,
        ms: e.duration,
        kind: (e as unknown as { detail: { kind: number } }).detail.kind,
      });
  }
}).observe({ entryTypes: ['gc'] });

// How long the one process's event loop was held up: every service's work waits behind the longest synchronous task.
const loopDelay = monitorEventLoopDelay({ resolution: 1 });

const { seen, client, close } = await tappedStack('orderly_tail_latency', mode, only ?? allServices, undefined, env);
try {
  // Warm-up: compiles and connections, then a few seconds at the rate.
  for (let i = 0; i < 3 * rate; i++) {
    void client.placeOrder({ items: [{ sku: 'TSHIRT-BLK-M', qty: 1 }] });
    await sleep(1000 / rate);
  }
  await sleep(2000);
  const sent: { orderId: string; sentMs: number }[] = [];
  loopDelay.enable();
  const start = wallMs();
  const placing: Promise<void>[] = [];
  for (let i = 0; i < rate * seconds; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - wallMs();
    if (wait > 0) await sleep(wait);
    placing.push(
      client.placeOrder({ items: [{ sku: 'TSHIRT-BLK-M', qty: 1 }] }).then((res) => {
        const orderId = (res.body as { orderId?: string } | undefined)?.orderId;
        if (orderId) sent.push({ orderId, sentMs: due });
      }),
    );
  }
  await Promise.all(placing);
  loopDelay.disable();
  await sleep(3000);
  const paths = sent.flatMap(({ orderId, sentMs }) => {
    const list = [...(seen.get(orderId) ?? [])].sort((a, b) => a.emittedMs - b.emittedMs);
    const confirmed = list.find((s) => s.type === 'order.confirmed');
    if (!confirmed) return [];
    const steps = new Map<string, number>();
    let previous = sentMs;
    let previousName = 'HTTP send';
    for (const s of list.filter((x) => x.emittedMs <= confirmed.emittedMs)) {
      steps.set(`${previousName} → ${s.type} emitted`, s.emittedMs - previous);
      previous = s.emittedMs;
      previousName = s.type;
    }
    steps.set('order.confirmed emitted → tapped', confirmed.tappedMs - confirmed.emittedMs);
    return [{ sentMs, total: confirmed.tappedMs - sentMs, steps }];
  });
  paths.sort((a, b) => a.total - b.total);
  const slow = paths.slice(Math.floor(paths.length * 0.95));
  const all = summarize(paths.map((p) => p.total));
  console.log(
    `${paths.length} orders at ${rate}/s, ${mode}, ${only ? only.join(', ') : 'all seven services'}${values.env ? `, ${values.env}` : ''}: send → confirmed tapped p50 ${all.p50.toFixed(1)} ms, p99 ${all.p99.toFixed(1)} ms`,
  );
  console.log(`${'step'.padEnd(62)} ${'all p50'.padStart(8)} ${'slow 5 % p50'.padStart(13)}`);
  for (const name of paths[0]?.steps.keys() ?? []) {
    const median = (ps: typeof paths) => summarize(ps.flatMap((p) => p.steps.get(name) ?? [])).p50;
    console.log(`${name.padEnd(62)} ${median(paths).toFixed(2).padStart(8)} ${median(slow).toFixed(2).padStart(13)}`);
  }
  console.log(
    `the slowest 5 %, sent at (s into the run): ${slow
      .map((p) => ((p.sentMs - start) / 1000).toFixed(2))
      .sort((a, b) => Number(a) - Number(b))
      .join(' ')}`,
  );
  const ms = (ns: number) => (ns / 1e6).toFixed(1);
  console.log(
    `event loop delay while placing: p50 ${ms(loopDelay.percentile(50))} ms, p99 ${ms(loopDelay.percentile(99))} ms, max ${ms(loopDelay.max)} ms`,
  );
  const during = pauses.filter((p) => p.atMs >= start);
  console.log(
    `garbage collector pauses of 5 ms or more in the run: ${during.length}${during.length ? ` (s into the run / ms: ${during.map((p) => `${((p.atMs - start) / 1000).toFixed(2)}/${p.ms.toFixed(0)}/k${p.kind}`).join(' ')})` : ''}`,
  );
} finally {
  await close();
}
