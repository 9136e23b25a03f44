/**
 * What an anonymous flood of /metrics does to the API beside it: the order
 * service alone on a scratch database and vhost, a customer reading their order (GET /orders/:id,
 * a token check and a query) as fast as `clients` loops can, and `flooders` loops scraping
 * /metrics without a token (or, for comparison, calling another path: --flood-path). Three
 * phases — the API alone, the flood alone, both — print each side's rate and, for the first two,
 * the service's CPU time per request: the cost the flood imposes, which the machine's other load
 * does not change the way it changes the rates.
 *
 *   node --conditions=source --import tsx scripts/bench/metrics-flood.ts [--seconds 10] [--clients 8] [--flooders 32] [--flood-path /metrics]
 *
 * The service runs in this process, the loops in a child process: this process's CPU time is the
 * service's.
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
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

// Plain JavaScript for the child: the loops of each kind, counting answers, then one JSON line.
const loader = `
const w = JSON.parse(process.env.LOAD);
const counts = { api: 0, apiFailed: 0, flood: 0, floodStatus: {}, bytes: 0 };
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
    counts.flood++;
    counts.floodStatus[res.status] = (counts.floodStatus[res.status] ?? 0) + 1;
  }
}
Promise.all([...Array(w.clients)].map(api).concat([...Array(w.flooders)].map(flood)))
  .then(() => process.stdout.write(JSON.stringify(counts) + '\\n'));
`;

interface Counts {
  api: number;
  apiFailed: number;
  flood: number;
  floodStatus: Record<string, number>;
  bytes: number;
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

/** One phase: the loops' counts and the service's CPU time (ms) meanwhile. */
async function phase(load: Load): Promise<Counts & { cpuMs: number }> {
  const before = process.cpuUsage();
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', loader], {
      env: { ...process.env, LOAD: JSON.stringify(load) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    child.stdout.on('data', (d) => {
      text += d;
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`the load exited ${code}`))));
  });
  const used = process.cpuUsage(before);
  return { ...(JSON.parse(out) as Counts), cpuMs: (used.user + used.system) / 1000 };
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
  const flooders = Number(flags.flooders);
  const floodPath = flags['flood-path'];
  const load = { base, path: `/orders/${orderId}`, floodPath, token, seconds };

  const apiAlone = await phase({ ...load, clients, flooders: 0 });
  const floodAlone = await phase({ ...load, clients: 0, flooders });
  const both = await phase({ ...load, clients, flooders });
  const rate = (n: number) => `${(n / seconds).toFixed(0)} /s`;
  const cpu = (p: { cpuMs: number }, n: number) => `${(p.cpuMs / Math.max(n, 1)).toFixed(2)} ms CPU each`;
  console.log(`GET /orders/:id (${clients} loops) and anonymous ${floodPath} (${flooders} loops), ${seconds} s a phase:`);
  console.log(`  the API alone:   ${rate(apiAlone.api)}, ${cpu(apiAlone, apiAlone.api)}`);
  console.log(
    `  the flood alone: ${rate(floodAlone.flood)} ${JSON.stringify(floodAlone.floodStatus)}, ${floodAlone.bytes} bytes, ${cpu(floodAlone, floodAlone.flood)}`,
  );
  console.log(`  both:            the API ${rate(both.api)} (${both.apiFailed} failed), the flood ${rate(both.flood)}`);
  console.log(`  the API kept ${((100 * both.api) / Math.max(apiAlone.api, 1)).toFixed(0)} % of its rate`);
} finally {
  await cleanups.run();
}
