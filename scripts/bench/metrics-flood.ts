/**
 * What an anonymous flood of /metrics does to the API beside it (issue 23, item 9): the order
 * service alone on a scratch database and vhost, a customer reading their order (GET /orders/:id,
 * a token check and a query) as fast as `clients` loops can, first alone, then while `flooders`
 * loops scrape /metrics without a token (or, for comparison, call another path: --flood-path). Prints
 * both rates.
 *
 *   node --conditions=source --import tsx scripts/bench/metrics-flood.ts [--seconds 10] [--clients 8] [--flooders 32] [--flood-path /metrics]
 *
 * The loops run in a worker thread, so the service's event loop is the only thing on its thread.
 */
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { definition } from '@orderly/order';
import { cleanupList, createTestEnv, startTestService } from '@orderly/platform/testing';

const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    clients: { type: 'string', default: '8' },
    flooders: { type: 'string', default: '32' },
    // For comparison: the same flood on an API path without a token (each answered 401).
    'flood-path': { type: 'string', default: '/metrics' },
  },
});

// Plain JavaScript for the worker: `loops` callers of each kind, counting answers by status.
const loader = `
const { parentPort, workerData: w } = require('node:worker_threads');
const counts = { api: 0, apiFailed: 0, metrics: 0, metricsStatus: {}, bytes: 0 };
const until = Date.now() + w.seconds * 1000;
async function api() {
  while (Date.now() < until) {
    const res = await fetch(w.base + w.path, { headers: { authorization: 'Bearer ' + w.token } });
    await res.arrayBuffer();
    res.status === 200 ? counts.api++ : counts.apiFailed++;
  }
}
async function flood() {
  while (Date.now() < until) {
    const res = await fetch(w.base + w.floodPath);
    counts.bytes = (await res.arrayBuffer()).byteLength;
    counts.metrics++;
    counts.metricsStatus[res.status] = (counts.metricsStatus[res.status] ?? 0) + 1;
  }
}
Promise.all([...Array(w.clients)].map(api).concat([...Array(w.flooders)].map(flood))).then(() => parentPort.postMessage(counts));
`;

interface Counts {
  api: number;
  apiFailed: number;
  metrics: number;
  metricsStatus: Record<string, number>;
  bytes?: number;
}

interface Load {
  base: string;
  path: string;
  floodPath: string;
  token: string;
  seconds: number;
  clients: number;
  flooders: number;
}

function run(data: Load): Promise<Counts> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(loader, { eval: true, workerData: data });
    worker.once('message', resolve).once('error', reject);
  });
}

const cleanups = cleanupList();
try {
  const env = await createTestEnv('metrics_flood');
  cleanups.add(() => env.cleanup());
  const service = await startTestService(definition, env, cleanups, { LOG_LEVEL: 'warn' });
  const token = await env.issuer.customer('C100');
  const base = `http://127.0.0.1:${service.port}`;
  const placed = await fetch(`${base}/orders`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ items: [{ sku: 'BOOK-ALICE', qty: 1 }] }),
  });
  if (placed.status !== 202) throw new Error(`placing the order: ${placed.status} ${await placed.text()}`);
  const { orderId } = (await placed.json()) as { orderId: string };
  const seconds = Number(flags.seconds);
  const clients = Number(flags.clients);
  const common = { base, path: `/orders/${orderId}`, floodPath: flags['flood-path'], token, seconds, clients };

  const alone = await run({ ...common, flooders: 0 });
  const flooded = await run({ ...common, flooders: Number(flags.flooders) });
  const rate = (n: number) => (n / seconds).toFixed(0);
  console.log(`GET /orders/:id, ${clients} loops, ${seconds} s each:`);
  console.log(`  alone:                    ${rate(alone.api)} /s (${alone.apiFailed} failed)`);
  console.log(
    `  with ${flags.flooders} anonymous loops on ${flags['flood-path']}: ${rate(flooded.api)} /s (${flooded.apiFailed} failed);` +
      ` ${flags['flood-path']} answered ${rate(flooded.metrics)} /s ${JSON.stringify(flooded.metricsStatus)}, ${flooded.bytes} bytes each`,
  );
  console.log(`  the API kept ${((100 * flooded.api) / Math.max(alone.api, 1)).toFixed(0)} % of its rate`);
} finally {
  await cleanups.run();
}
