/**
 * The system under test, on servers the harness owns: its own PostgreSQL cluster and RabbitMQ
 * node, a fault proxy between each service and each of them, and the local stack (every service
 * its own process from the built output, restarted with back-off when it dies) on ports of its own.
 */

import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { publishers, topologyModeOf } from '@orderly/events';
import { ApiClient, startTestIdentity, type TestIdentity } from '@orderly/testkit';
import pg from 'pg';
import { type LocalStack, type RestartEvent, startLocalStack } from '../local/local-stack.ts';
import { services } from '../local/services.ts';
import { freePorts } from './ports.ts';
import { FaultProxy } from './proxy.ts';
import { type OwnPostgres, ownPostgres } from './servers/postgres.ts';
import { type OwnRabbit, ownRabbit } from './servers/rabbitmq.ts';

export type SagaMode = 'choreography' | 'orchestration';
export const serviceNames = services.map((s) => s.name);

export interface ServiceProxies {
  amqp: FaultProxy;
  pg: FaultProxy;
}

/** The saga mode the services start in, and whether a switch is draining (decision 0022). */
export interface SagaSettings {
  mode: SagaMode;
  switching: boolean;
}

export interface ChaosStack {
  /** The mode the run started in. */
  mode: SagaMode;
  /** What a (re)started service gets now: the mode-switch fault changes it. */
  saga(): SagaSettings;
  /** Every mode the run has had services in, the first included. */
  modesRun(): SagaMode[];
  /** From now on (re)started services get these settings, and the order user the broker rights they need. */
  setSaga(settings: SagaSettings): Promise<void>;
  postgres: OwnPostgres;
  rabbit: OwnRabbit;
  proxies: Map<string, ServiceProxies>;
  stack: LocalStack;
  api: ApiClient;
  /** Straight to the run's own database (not through a proxy): what the checker and the injectors read. */
  db: pg.Pool;
  /** A service's own broker user, straight to the node: what a message that service produced must come from. */
  brokerUrlOf(service: string): string;
  restarts: RestartEvent[];
  onRestart(listener: (e: RestartEvent) => void): () => void;
  close(): Promise<void>;
}

export interface ChaosStackOptions {
  name: string;
  stateDir: string;
  mode: SagaMode;
  log: (line: string) => void;
}

/** The services' settings for the run: quick parcels, a saga step timeout longer than any fault. */
export const serviceSettings = (mode: SagaMode): Record<string, string> => ({
  SAGA_MODE: mode,
  LOG_LEVEL: 'info',
  // The test payment methods (pm_card_declined) are honoured only in the sandbox.
  PAYMENT_SANDBOX: 'true',
  SHIPPING_DISPATCH_DELAY_MS: '500',
  SHIPPING_DELIVERY_DELAY_MS: '500',
  SHIPPING_TIMER_POLL_MS: '100',
  OUTBOX_POLL_MS: '500',
  DB_POOL_SIZE: '5',
  SHUTDOWN_TIMEOUT_MS: '10000',
  SAGA_STEP_TIMEOUT_MS: '120000',
  BROKER_CONNECT_ATTEMPTS: '30',
});

export async function startChaosStack({ name, stateDir, mode, log }: ChaosStackOptions): Promise<ChaosStack> {
  await mkdir(stateDir, { recursive: true });
  const [pgPort, amqpPort, mgmtPort, distPort, epmdPort, ...servicePorts] = await freePorts(5 + serviceNames.length);
  log(
    `servers: PostgreSQL 127.0.0.1:${pgPort}, RabbitMQ node ${name}@localhost amqp ${amqpPort} management ${mgmtPort} dist ${distPort} epmd ${epmdPort}`,
  );
  const postgres = await ownPostgres(stateDir, pgPort!);
  let rabbit: OwnRabbit | undefined;
  const proxies = new Map<string, ServiceProxies>();
  let stack: LocalStack | undefined;
  const db = new pg.Pool({ connectionString: postgres.databaseUrl, max: 4, connectionTimeoutMillis: 10_000 });
  db.on('error', () => undefined); // a crash of the run's own PostgreSQL drops idle clients: expected
  const restarts: RestartEvent[] = [];
  let saga: SagaSettings = { mode, switching: false };
  const modesRun = new Set<SagaMode>([mode]);
  const listeners = new Set<(e: RestartEvent) => void>();
  const serviceLog = createWriteStream(join(stateDir, 'services.log'));
  let identity: TestIdentity | undefined;
  const close = async () => {
    await stack?.stop(15_000).catch(() => undefined);
    await identity?.close().catch(() => undefined);
    for (const p of proxies.values()) await Promise.all([p.amqp.close(), p.pg.close()]);
    await db.end().catch(() => undefined);
    await rabbit?.shutdown().catch(() => undefined);
    await postgres.stop();
    await new Promise((r) => serviceLog.end(r));
  };
  // Interrupted while starting: stop what was started (the servers are ours to stop, nobody else's).
  const onSignal = () => void close().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const started = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  try {
    rabbit = await ownRabbit(stateDir, name, { amqp: amqpPort!, management: mgmtPort!, dist: distPort!, epmd: epmdPort! });
    // Each service is its own broker user, orderly-<service>, as on Kubernetes: consumers accept a
    // message only from the user of the service the catalog says produces it.
    const brokerUsers = new Map<string, { user: string; password: string; direct: string }>();
    for (const s of serviceNames) {
      const user = `orderly-${s}`;
      const password = randomBytes(12).toString('hex');
      brokerUsers.set(s, { user, password, direct: await rabbit.addUser(user, password) });
    }
    // The demo OpenID Connect provider: the services trust its tokens, the load calls as its operator.
    identity = await startTestIdentity();
    const tokens = identity;
    for (const s of serviceNames) {
      proxies.set(s, { amqp: await FaultProxy.start(`${s}→rabbitmq`, amqpPort!), pg: await FaultProxy.start(`${s}→postgres`, pgPort!) });
    }
    const ports = Object.fromEntries(serviceNames.map((s, i) => [s, servicePorts[i]!]));
    const r = rabbit;
    // The order user may write the commands exchange only when the topology carries commands, as the chart grants it.
    const grantOrder = (settings: SagaSettings) =>
      r.permitWrite(
        brokerUsers.get('order')!.user,
        publishers(topologyModeOf(settings.mode, settings.switching)).order.includes('orderly.commands')
          ? '.*'
          : '^(?!orderly\\.commands$).*',
      );
    await grantOrder(saga);
    log(`services: ${serviceNames.map((s) => `${s} :${ports[s]}`).join(', ')} (SAGA_MODE=${mode})`);
    stack = await startLocalStack({
      env: { ...serviceSettings(mode), ...identity.env },
      // The run's own users (above), not the shared servers' credentials.
      credentials: false,
      // Faults crash and restart services one at a time: each must be its own process, whatever npm start runs.
      processes: 'per-service',
      ports,
      serviceEnv: (service) => {
        const p = proxies.get(service)!;
        const u = brokerUsers.get(service)!;
        return {
          SAGA_MODE: saga.mode,
          SAGA_SWITCHING: String(saga.switching),
          AMQP_URL: `amqp://${u.user}:${u.password}@127.0.0.1:${p.amqp.port}/orderly`,
          DATABASE_URL: throughProxy(postgres.databaseUrl, p.pg.port),
          RABBITMQ_MANAGEMENT_URL: r.managementUrl,
        };
      },
      // Quicker than npm start's, so that recovery times measure the system rather than the wait.
      restart: { initialMs: 500, maxMs: 8_000, resetAfterMs: 20_000 },
      onRestart: (e) => {
        restarts.push(e);
        for (const l of listeners) l(e);
      },
      onLine: (service, _i, line) => serviceLog.write(`${new Date().toISOString()} ${service} │ ${line}\n`),
    });
    const s = stack;
    started();
    return {
      mode,
      saga: () => saga,
      modesRun: () => [...modesRun],
      setSaga: async (settings) => {
        saga = settings;
        modesRun.add(settings.mode);
        await grantOrder(settings);
      },
      postgres,
      rabbit,
      proxies,
      stack,
      api: new ApiClient(
        (service) => s.url(service),
        () => tokens.operatorToken(),
      ),
      db,
      brokerUrlOf: (service) => brokerUsers.get(service)!.direct,
      restarts,
      onRestart: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      close,
    };
  } catch (err) {
    started();
    await close();
    throw err;
  }
}

/** The database URL with the fault proxy's port: the same user, password and database. */
function throughProxy(databaseUrl: string, port: number): string {
  const url = new URL(databaseUrl);
  url.port = String(port);
  return url.toString();
}
