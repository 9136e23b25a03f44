/**
 * The local stack: every service as its own process from the built output (what ships), with
 * prefixed readable logs. Ctrl-C (or SIGTERM) stops them all gracefully. Run by `npm start`
 * after scripts/setup.sh has started RabbitMQ and PostgreSQL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { formatLogLine } from './lib/log-format.ts';
import { baseUrl, localDefaults, services } from './lib/services.ts';

const root = new URL('..', import.meta.url).pathname;
const colours = ['\x1b[36m', '\x1b[35m', '\x1b[34m', '\x1b[32m', '\x1b[33m', '\x1b[96m', '\x1b[95m'];
const width = Math.max(...services.map((s) => s.name.length));
const children = new Map<string, ChildProcess>();
let stopping = false;

function prefix(name: string, i: number) {
  return `${colours[i % colours.length]}${name.padEnd(width)} │\x1b[0m`;
}

function start(name: string, port: number, i: number): ChildProcess {
  const main = `${root}services/${name}/dist/src/main.js`;
  if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build`);
  const register = `${root}services/platform/dist/src/telemetry/register.js`;
  const child = spawn(process.execPath, [...(existsSync(register) ? ['--import', register] : []), main], {
    env: {
      ...localDefaults,
      ...process.env,
      PORT: String(port),
      OTEL_SERVICE_NAME: `orderly-${name}`,
      ...(name === 'inventory' ? { SEED_DEMO_CATALOGUE: 'true' } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream! }).on('line', (line) => console.log(`${prefix(name, i)} ${formatLogLine(line)}`));
  }
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      console.error(`${prefix(name, i)} exited (${signal ?? code}); stopping the stack`);
      void stop(1);
    }
  });
  return child;
}

async function waitReady(name: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!children.has(name)) throw new Error(`${name} exited during start-up`);
    try {
      if ((await fetch(`${baseUrl(name)}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} was not ready within ${timeoutMs / 1000} s`);
}

async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  console.log('\n▸ stopping services (SIGTERM, draining in-flight work)…');
  await Promise.all(
    [...children.values()].map(
      (c) =>
        new Promise<void>((resolve) => {
          c.once('exit', () => resolve());
          c.kill('SIGTERM');
        }),
    ),
  );
  console.log('▸ stopped');
  process.exit(code);
}

process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

console.log(`▸ starting ${services.length} services (SAGA_MODE=${process.env.SAGA_MODE ?? 'choreography'})`);
services.forEach(({ name, port }, i) => {
  children.set(name, start(name, port, i));
});
try {
  await Promise.all(services.map((s) => waitReady(s.name)));
} catch (err) {
  console.error(`▸ ${(err as Error).message}`);
  await stop(1);
}
const rows = services.map((s) => `  ${s.name.padEnd(width)}  ${baseUrl(s.name)}   (metrics: ${baseUrl(s.name)}/metrics)`);
console.log(`
▸ Orderly is running. Ctrl-C stops it.
${rows.join('\n')}
  RabbitMQ management   http://127.0.0.1:15672  (guest / guest)
  RabbitMQ metrics      http://127.0.0.1:15692/metrics

  Place an order:  curl -X POST localhost:8080/orders -H 'content-type: application/json' \\
                     -d '{"customerId":"C100","email":"c100@example.com","items":[{"sku":"TSHIRT-BLK-M","qty":1}]}'
  Run the demo:    npm run demo
`);
