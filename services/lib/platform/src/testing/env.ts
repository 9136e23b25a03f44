import { randomBytes } from 'node:crypto';
import { managementClient } from '../bus/management.js';
import { createServiceUsers } from './broker-users.js';
import { type TestIssuer, testIssuer } from './issuer.js';
import { createScratch, type Servers, serversFromEnv } from './scratch.js';

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
  /** env with AMQP_URL as the service's own broker user `<vhost>.<service>` (env's is the administrator's). */
  envFor(service: string): Record<string, string>;
  /** The AMQP URL of a service's own broker user (the administrator's for a name that is not a service). */
  amqpUrlFor(service: string): string;
  /** The token issuer the services trust (env has its AUTH_*): tokens for customers and operators. */
  issuer: TestIssuer;
  management(path: string, init?: RequestInit): Promise<Response>;
  cleanup(): Promise<void>;
}

// Read once, by the first test env: a test that points process.env at its own scratch later does
// not move the next one's. Not at import: a file that only imports these helpers needs no servers.
let servers: Servers | undefined;

export async function createTestEnv(name: string): Promise<TestEnv> {
  servers ??= serversFromEnv();
  const id = `${name.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}_${randomBytes(3).toString('hex')}`;
  const scratch = await createScratch(`test_${id}`, servers);
  // A wedged broker must fail the test run with a message, not hang it.
  const management = managementClient(servers.managementUrl, 30_000).request;
  const users = await createServiceUsers(servers.managementUrl, scratch.vhost, scratch.amqpUrl);
  const issuer = await testIssuer();
  const testEnv: TestEnv = {
    name,
    vhost: scratch.vhost,
    database: scratch.database,
    amqpUrl: scratch.amqpUrl,
    databaseUrl: scratch.databaseUrl,
    managementUrl: servers.managementUrl,
    env: {
      PORT: '0',
      AMQP_URL: scratch.amqpUrl,
      DATABASE_URL: scratch.databaseUrl,
      RABBITMQ_MANAGEMENT_URL: servers.managementUrl,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      RETRY_BASE_DELAY_MS: '50',
      RETRY_MAX_DELAY_MS: '400',
      OUTBOX_POLL_MS: '200',
      OUTBOX_SWEEP_AFTER_MS: '1000',
      DB_POOL_SIZE: '5',
      SHUTDOWN_TIMEOUT_MS: '10000',
      PAYMENT_SANDBOX: 'true',
      ...issuer.env,
    },
    issuer,
    management,
    envFor: (service) => ({ ...testEnv.env, AMQP_URL: users.amqpUrlFor(service) }),
    amqpUrlFor: users.amqpUrlFor,
    async cleanup() {
      if (process.env.ORDERLY_KEEP_TEST_STATE === '1') return;
      await users.drop();
      // Teardown never fails or hangs a run whose tests passed: a busy broker may take longer to
      // delete a vhost's quorum queues than a test should wait, and it finishes on its own.
      await Promise.race([scratch.drop(), new Promise((r) => setTimeout(r, 20_000).unref())]).catch((err) =>
        console.warn(`test clean-up: drop ${scratch.database}: ${(err as Error).message}`),
      );
    },
  };
  return testEnv;
}
