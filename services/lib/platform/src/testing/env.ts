import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { managementClient } from '../bus/management.js';

/**
 * Real servers, isolated per test file: a fresh RabbitMQ vhost and a fresh PostgreSQL database,
 * dropped afterwards (kept when ORDERLY_KEEP_TEST_STATE=1, for debugging).
 */
export interface TestEnv {
  name: string;
  vhost: string;
  database: string;
  amqpUrl: string;
  databaseUrl: string;
  managementUrl: string;
  /** Environment for a service under test; PORT 0 so tests never collide. */
  env: Record<string, string>;
  management(path: string, init?: RequestInit): Promise<Response>;
  cleanup(): Promise<void>;
}

const baseAmqp = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';
const baseDatabase = process.env.DATABASE_URL ?? 'postgres://orderly:orderly@127.0.0.1:5432/orderly';
const baseManagement = process.env.RABBITMQ_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672/';

export async function createTestEnv(name: string): Promise<TestEnv> {
  const id = `${name.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}_${randomBytes(3).toString('hex')}`;
  const vhost = `test_${id}`;
  const database = `test_${id}`;
  // A wedged broker must fail the test run with a message, not hang it.
  const management = managementClient(baseManagement, 30_000).request;
  const user = decodeURIComponent(new URL(baseAmqp).username) || 'guest';
  await must(management(`api/vhosts/${vhost}`, { method: 'PUT' }), `create vhost ${vhost}`);
  await must(
    management(`api/permissions/${vhost}/${user}`, {
      method: 'PUT',
      body: JSON.stringify({ configure: '.*', write: '.*', read: '.*' }),
    }),
    `grant ${user} on ${vhost}`,
  );
  const admin = new pg.Client({ connectionString: baseDatabase, connectionTimeoutMillis: 15_000 });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${database}"`);
  await admin.end();

  const amqpUrl = withPath(baseAmqp, `/${vhost}`);
  const databaseUrl = withPath(baseDatabase, `/${database}`);
  return {
    name,
    vhost,
    database,
    amqpUrl,
    databaseUrl,
    managementUrl: baseManagement,
    env: {
      PORT: '0',
      AMQP_URL: amqpUrl,
      DATABASE_URL: databaseUrl,
      RABBITMQ_MANAGEMENT_URL: baseManagement,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      RETRY_BASE_DELAY_MS: '50',
      RETRY_MAX_DELAY_MS: '400',
      OUTBOX_POLL_MS: '200',
      DB_POOL_SIZE: '5',
      SHUTDOWN_TIMEOUT_MS: '10000',
    },
    management,
    async cleanup() {
      if (process.env.ORDERLY_KEEP_TEST_STATE === '1') return;
      // Teardown never fails or hangs a run whose tests passed: a busy broker may take longer to
      // delete a vhost's quorum queues than a test should wait, and it finishes on its own.
      const settle = (what: string, p: Promise<unknown>) =>
        Promise.race([p, new Promise((r) => setTimeout(r, 20_000).unref())]).catch((err) =>
          console.warn(`test clean-up: ${what}: ${(err as Error).message}`),
        );
      await settle(`delete vhost ${vhost}`, management(`api/vhosts/${vhost}`, { method: 'DELETE', signal: AbortSignal.timeout(120_000) }));
      await settle(
        `drop database ${database}`,
        (async () => {
          const c = new pg.Client({ connectionString: baseDatabase, connectionTimeoutMillis: 15_000 });
          await c.connect();
          try {
            await c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
          } finally {
            await c.end();
          }
        })(),
      );
    },
  };
}

function withPath(url: string, path: string): string {
  const u = new URL(url);
  u.pathname = path;
  return u.toString();
}

async function must(res: Promise<Response>, what: string): Promise<void> {
  const r = await res;
  if (!r.ok) throw new Error(`${what}: ${r.status} ${await r.text()}`);
}
