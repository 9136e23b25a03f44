/**
 * npm start's one-process mode, through its real entry point (the built one-process-main.js with the
 * telemetry register hook, the services on standard input): every service keeps its own broker user,
 * pool, metrics and port; one that cannot start takes the process down with it; SIGTERM drains all.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestEnv, type TestEnv, waitFor } from '@orderly/platform/testing';
import { ApiClient, allServices, customer, freePort, startTestIdentity, type TestIdentity } from '@orderly/testkit';
import test from 'ava';
import pg from 'pg';

const root = join(import.meta.dirname, '..', '..', '..');
let env: TestEnv;
let identity: TestIdentity;

test.before(async () => {
  env = await createTestEnv('one_process');
  identity = await startTestIdentity();
});
test.after.always(async () => {
  await identity?.close();
  await env?.cleanup();
});

interface Host {
  child: ChildProcess;
  ports: Record<string, number>;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts the one process hosting every service; `override` changes one service's environment. */
async function startHost(override: Record<string, Record<string, string>> = {}): Promise<Host> {
  const ports: Record<string, number> = {};
  for (const name of allServices) ports[name] = await freePort();
  const services = allServices.map((name) => ({
    name,
    module: join(root, 'services', name, 'dist/src/service.js'),
    env: {
      ...env.envFor(name),
      ...identity.env,
      SEED_DEMO_CATALOGUE: 'true',
      LOG_LEVEL: 'info',
      BROKER_CONNECT_ATTEMPTS: '2',
      PORT: String(ports[name]),
      ...override[name],
    },
  }));
  const child = spawn(
    process.execPath,
    [
      '--import',
      join(root, 'services/lib/platform/dist/src/telemetry/register.js'),
      join(root, 'services/lib/platform/dist/src/one-process-main.js'),
    ],
    {
      env: { PATH: process.env.PATH, OTEL_TRACES_EXPORTER: 'none', OTEL_SERVICE_NAME: 'orderly-local-stack' },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let output = '';
  for (const s of [child.stdout!, child.stderr!]) s.on('data', (d) => (output += d));
  child.stdin!.end(JSON.stringify({ services }));
  return { child, ports, output: () => output, exited: once(child, 'exit').then(([code]) => code as number | null) };
}

const answers = async (port: number) =>
  fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) }).then(
    (r) => r.ok,
    () => false,
  );

async function ready(host: Host): Promise<void> {
  await waitFor(
    async () => {
      if (host.child.exitCode !== null) throw new Error(`the one process exited with ${host.child.exitCode}:\n${host.output()}`);
      for (const port of Object.values(host.ports)) {
        if (
          !(await fetch(`http://127.0.0.1:${port}/readyz`).then(
            (r) => r.ok,
            () => false,
          ))
        )
          return undefined;
      }
      return true;
    },
    { timeoutMs: 50_000, intervalMs: 200, what: 'every service in the one process to be ready' },
  );
}

test.serial(
  'when the seven services run in one process, then an order is confirmed and each service keeps its own broker user, pool and metrics',
  async (t) => {
    t.timeout(90_000);
    const host = await startHost();
    t.teardown(() => host.child.kill('SIGKILL'));
    await ready(host);

    const api = new ApiClient(
      (name) => `http://127.0.0.1:${host.ports[name]}`,
      () => identity.operatorToken(),
    );
    const placed = await api.placeOrder({ ...customer(1), items: [{ sku: 'TSHIRT-BLK-M', qty: 1 }] });
    t.is(placed.status, 202, JSON.stringify(placed.body));
    await api.orderReaches(placed.body.orderId, ['CONFIRMED', 'SHIPPED', 'DELIVERED'], 30_000);

    // The broker sees each service connected as its own user (its connection list lags a few seconds).
    const own = allServices.map((name) => new URL(env.amqpUrlFor(name)).username);
    const users = await waitFor(
      async () => {
        const connections = (await (await env.management(`/api/vhosts/${encodeURIComponent(env.vhost)}/connections`)).json()) as {
          user: string;
        }[];
        const seen = new Set(connections.map((c) => c.user));
        return own.every((u) => seen.has(u)) ? seen : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 500, what: `connections as ${own.join(', ')}` },
    );
    t.true(own.every((u) => users.has(u)));
    // Each service's pool is its own (named after its schema).
    const db = new pg.Client({ connectionString: env.databaseUrl });
    await db.connect();
    t.teardown(() => db.end());
    const { rows } = await db.query<{ name: string }>(
      'SELECT DISTINCT application_name AS name FROM pg_stat_activity WHERE datname = current_database()',
    );
    for (const name of allServices)
      t.true(
        rows.some((r) => r.name === `orderly-${name}`),
        `${name} has its own pool: ${rows.map((r) => r.name).join(', ')}`,
      );
    // Each metrics endpoint is the service's own registry, on its own port.
    for (const name of allServices) {
      const text = await (await fetch(`http://127.0.0.1:${host.ports[name]}/metrics`, { headers: { accept: 'text/plain' } })).text();
      const labels = new Set([...text.matchAll(/service="([a-z]+)"/g)].map((m) => m[1]));
      t.deepEqual([...labels], [name], `${name}'s /metrics`);
    }
    // The services' credentials came on standard input: the process's environment holds none of them.
    const environ = readFileSync(`/proc/${host.child.pid}/environ`, 'utf8');
    t.false(environ.includes(new URL(env.amqpUrlFor('order')).password), 'no broker password in the environment');

    host.child.kill('SIGTERM');
    t.is(await host.exited, 0, host.output().slice(-2000));
    for (const name of allServices) t.false(await answers(host.ports[name]!), `${name} stopped with the process`);
  },
);

test.serial('when one service cannot start, then the process exits and none of the others is left running', async (t) => {
  t.timeout(90_000);
  const wrong = new URL(env.amqpUrlFor('payment'));
  wrong.password = 'not-the-password';
  const host = await startHost({ payment: { AMQP_URL: wrong.href } });
  t.teardown(() => host.child.kill('SIGKILL'));
  t.not(await host.exited, 0);
  t.regex(host.output(), /payment: .*/);
  for (const name of allServices) t.false(await answers(host.ports[name]!), `${name} is not left running`);
});
