import { join } from 'node:path';
import { publishers, type ServiceName, streamOf, streamReaders, type TopologyMode, topology, topologyModeOf } from '@orderly/events';
import type { z } from 'zod';
import { adminOperations } from './admin/admin-docs.js';
import { adminRoutes, dryRunBodyLimit } from './admin/admin-routes.js';
import { Broker } from './bus/broker.js';
import { applyPolicies, awaitTopology, removeStaleBindings, vhostOf } from './bus/topology.js';
import { type BaseConfig, loadConfig } from './config.js';
import { waitForDatabase } from './db/connect.js';
import { migrate } from './db/migrate.js';
import { maintainPartitions, partitionKeeper } from './db/partitions.js';
import { createPool } from './db/pool.js';
import { pruner } from './db/prune.js';
import { tokenVerifier } from './http/auth.js';
import { startHttpServer } from './http/server.js';
import { checkHandlers } from './inbound/check-handlers.js';
import { Consumer } from './inbound/consumer.js';
import { brokerIdentity } from './inbound/identity.js';
import { Lifecycle } from './lifecycle.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';
import { outboxPartitions, outboxRowRetention } from './outbound/outbox-retention.js';
import { Publisher } from './outbound/publisher.js';
import { OutboxRelay } from './outbound/relay.js';
import { republishOnReconnect } from './outbound/republish.js';
import { packageDir } from './package-dir.js';
import type { RunningService, ServiceDefinition } from './service-parts.js';
import { MovingStreamReader } from './stream/move.js';
import { inboxPartitions, inboxRowRetention } from './transaction/inbox.js';
import { Database } from './transaction/transaction.js';

export type { RunningService, ServiceContext, ServiceDefinition, ServiceParts, Worker } from './service-parts.js';

const platformDir = packageDir(import.meta.url);

/**
 * Wires one service: HTTP first (so /healthz answers and /readyz says "not yet"), then the
 * database and its migrations, the broker and its topology, the outbox relay, the consumer and
 * the workers; ready only when all are up. stop() undoes it in the order that loses nothing.
 */
export async function startService<S extends z.ZodType<BaseConfig>>(
  def: ServiceDefinition<S>,
  env: Record<string, string | undefined>,
): Promise<RunningService<z.infer<S>>> {
  const config = loadConfig(def.configSchema, env) as z.infer<S>;
  const schema = config.DB_SCHEMA ?? def.name;
  const logger = createLogger(def.name, config.LOG_LEVEL);
  const metrics = createMetrics(def.name);
  const lifecycle = new Lifecycle();
  // What has been opened so far, closed in reverse if start-up fails half-way.
  const opened: (() => Promise<unknown>)[] = [];
  try {
    const pool = createPool(config.DATABASE_URL, schema, config.DB_POOL_SIZE);
    opened.push(() => pool.end());
    pool.on('error', (err) => logger.warn({ err }, 'idle database connection lost'));
    metrics.setPoolSource(() => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }));
    const db = new Database(pool, def.name);
    const parts = def.build({ config, logger, metrics, db, lifecycle });
    const mode = topologyModeOf(config.SAGA_MODE, config.SAGA_SWITCHING);
    checkHandlers(def.name, mode, parts.consumers ?? {});
    // A consumer tells who published each message by the broker user: ours must name us.
    const identity = Object.keys(parts.consumers ?? {}).length > 0 ? brokerIdentity(config.AMQP_URL, def.name) : undefined;
    // Every service answers its operators' dry runs and outbox questions (docs/console.md).
    const admin = adminRoutes(
      {
        db,
        consumers: parts.consumers ?? {},
        identity,
        retry: { maxAttempts: config.RETRY_MAX_ATTEMPTS, notYetMaxWaitMs: config.NOT_YET_MAX_WAIT_MS },
      },
      logger,
    );
    const api = parts.api ?? { title: `Orderly ${def.name}` };
    const http = await startHttpServer({
      port: config.PORT,
      logger,
      metrics,
      lifecycle,
      info: { service: def.name, sagaMode: config.SAGA_MODE },
      auth: tokenVerifier(config),
      authentication: {
        ...(parts.openPaths ? { openPaths: parts.openPaths } : {}),
        ...(parts.authenticate ? { authenticate: parts.authenticate } : {}),
      },
      // The admin routes first: a service's catch-all (the console's pages) must not hide them.
      routes: parts.routes ? [admin, parts.routes] : [admin],
      bodyLimits: { '/admin/dry-run': dryRunBodyLimit },
      api: { ...api, operations: { ...adminOperations, ...api.operations } },
      metricsMaxAgeMs: config.METRICS_MAX_AGE_MS,
      timeouts: { headersMs: config.HTTP_HEADERS_TIMEOUT_MS, requestMs: config.HTTP_REQUEST_TIMEOUT_MS },
    });
    opened.push(() => http.close());

    const migrations = [
      { prefix: 'platform', dir: join(platformDir, 'migrations') },
      { prefix: def.name, dir: join(packageDir(def.moduleUrl), 'migrations') },
    ];
    await waitForDatabase(pool, logger);
    await migrate(pool, schema, migrations, logger);
    // The inbox's and the outbox's partitions for now and ahead, before anything writes to them.
    const partitioned = [inboxPartitions(config.INBOX_RETENTION_HOURS), outboxPartitions];
    // Not fatal: rows go to the default partitions meanwhile, and the prune tick tries again.
    await maintainPartitions(pool, partitioned, logger).catch((err) =>
      logger.warn({ err }, 'partition maintenance failed; trying again on the next tick'),
    );
    if (config.MIGRATE_ONLY) {
      logger.info({ schema }, 'migrations applied; exiting (MIGRATE_ONLY)');
      await closeAll(opened);
      return { config, port: http.port, db, metrics, logger, stop: async () => {} };
    }

    const definition = topology({ mode, deliveryLimit: config.DELIVERY_LIMIT });
    // Policies belong to whoever declares the topology (on Kubernetes the operator, locally the
    // stack's administrator step): a service that declares nothing needs no management access.
    if (config.RABBITMQ_MANAGEMENT_URL && config.BROKER_DECLARE_TOPOLOGY) {
      await applyPolicies(config.RABBITMQ_MANAGEMENT_URL, vhostOf(config.AMQP_URL), definition.policies);
    }
    const connectBroker = (role: 'publish' | 'consume', declare: boolean) =>
      Broker.connect({
        url: config.AMQP_URL,
        topology: definition,
        logger,
        metrics,
        name: `orderly-${def.name}-${role}`,
        role,
        declare,
        connectAttempts: config.BROKER_CONNECT_ATTEMPTS,
      });
    // Publishing and consuming on separate connections: whatever drops the consumers' connection
    // (a poison delivery, a consumer timeout) leaves the outbox relay publishing (decision 0025).
    const broker = await connectBroker('publish', config.BROKER_DECLARE_TOPOLOGY);
    opened.push(() => broker.close());
    if (!config.BROKER_DECLARE_TOPOLOGY) {
      // Someone else owns the topology: wait (not ready, never exiting) until what we use exists.
      const exchanges = publishers(mode)[def.name as ServiceName] ?? [];
      const queues = Object.keys(parts.consumers ?? {});
      queues.push(...streamsReadBy(mode, def.name));
      await awaitTopology(config.AMQP_URL, { exchanges, queues }, logger, {
        name: `orderly-${def.name}-topology-probe`,
      });
    }
    if (config.RABBITMQ_MANAGEMENT_URL && config.BROKER_DECLARE_TOPOLOGY) {
      const stale = await removeStaleBindings(config.RABBITMQ_MANAGEMENT_URL, vhostOf(config.AMQP_URL), definition);
      if (stale.length > 0) {
        logger.warn(
          { removed: stale.map((b) => `${b.source} -[${b.routing_key}]-> ${b.destination}`) },
          'removed bindings the topology no longer has',
        );
      }
    }
    const publisher = new Publisher(metrics, logger, decodeURIComponent(new URL(config.AMQP_URL).username));
    await publisher.attach(broker);
    const relayOptions = {
      pollMs: config.OUTBOX_POLL_MS,
      sweepAfterMs: config.OUTBOX_SWEEP_AFTER_MS,
      markMs: config.OUTBOX_MARK_MS,
      batchSize: config.OUTBOX_BATCH_SIZE,
    };
    const relay = new OutboxRelay(pool, publisher, relayOptions, metrics, logger);
    db.onOutboxWritten((rows) => relay.committed(rows));
    await relay.start();
    opened.push(() => relay.stop());
    await broker.onConnect(republishOnReconnect(pool, config.OUTBOX_REPUBLISH_WINDOW_MS, logger));
    // Not ready while nothing can be published (no confirm channel, or the relay keeps failing).
    lifecycle.addCheck('publisher', () => publisher.connected);
    lifecycle.addCheck('outbox relay', () => relay.healthy);

    const retry = {
      maxAttempts: config.RETRY_MAX_ATTEMPTS,
      baseDelayMs: config.RETRY_BASE_DELAY_MS,
      maxDelayMs: config.RETRY_MAX_DELAY_MS,
      notYetMaxWaitMs: config.NOT_YET_MAX_WAIT_MS,
    };
    const consumers = Object.entries(parts.consumers ?? {}).map(
      ([queue, handlers]) =>
        new Consumer(
          {
            queue,
            handlers,
            prefetch: config.PREFETCH,
            retry,
            batchSize: parts.batched?.includes(queue) ? config.CONSUMER_BATCH_SIZE : 1,
            prepareBatch: parts.prepareBatch?.[queue],
            lingerMs: parts.lingering?.includes(queue) ? config.CONSUMER_LINGER_MS : 0,
            identity: identity!,
            redriveUser: config.BROKER_REDRIVE_USER,
            maxMessageBytes: config.MESSAGE_MAX_BYTES,
          },
          db,
          publisher,
          metrics,
          logger,
        ),
    );
    // A reader that only records reads the event stream; its queue takes only retries and redrives.
    const readers = streamReaders(mode)
      .filter((q) => q.service === def.name && parts.consumers?.[q.queue])
      .map(
        (q) =>
          new MovingStreamReader(
            {
              reader: q.queue,
              stream: streamOf(q),
              movedFrom: q.movedFrom,
              subscriptions: q.subscriptions,
              handlers: parts.consumers![q.queue]!,
              prefetch: config.STREAM_PREFETCH,
              batchSize: config.STREAM_BATCH_SIZE,
              lingerMs: config.STREAM_LINGER_MS,
              retry,
              identity: identity!,
              maxMessageBytes: config.MESSAGE_MAX_BYTES,
              idempotent: parts.idempotent?.includes(q.queue) ?? false,
            },
            db,
            publisher,
            metrics,
            logger,
          ),
      );
    // The topology is declared (or awaited) through the publishing connection, before this one
    // exists; a service that consumes nothing (the console) opens none.
    const consuming = consumers.length + readers.length > 0 ? await connectBroker('consume', false) : undefined;
    if (consuming) opened.push(() => consuming.close());
    for (const consumer of [...consumers, ...readers]) {
      await consumer.attach(consuming!);
      opened.push(() => consumer.stop());
    }
    // Partitions past their retention are dropped whole (decision 0032); the few rows outside the
    // dated partitions (default partitions, the inbox from before partitioning) go row by row.
    const rowRetention = [...inboxRowRetention(config.INBOX_RETENTION_HOURS), outboxRowRetention];
    const workers = [
      ...(parts.workers ?? []),
      partitionKeeper(pool, partitioned, config.PRUNE_EVERY_MS, logger),
      ...rowRetention.map((r) => pruner(pool, r, config.PRUNE_EVERY_MS, logger)),
    ];
    for (const w of workers) {
      await w.start();
      opened.push(() => w.stop());
    }

    lifecycle.markReady();
    logger.info({ port: http.port, schema, sagaMode: config.SAGA_MODE, switching: config.SAGA_SWITCHING }, 'service ready');

    let stopping: Promise<void> | undefined;
    // Nothing new comes in, what is in hand finishes, what it wrote is published, then close.
    const stop = () => {
      stopping ??= (async () => {
        lifecycle.markDraining();
        logger.info('draining');
        for (const w of [...workers].reverse()) await w.stop();
        await Promise.all([...consumers, ...readers].map((c) => c.stop()));
        await http.close();
        await consuming?.close();
        await relay.stop();
        await broker.close();
        await pool.end();
        logger.info('stopped');
      })();
      return stopping;
    };
    return { config, port: http.port, db, metrics, logger, stop };
  } catch (err) {
    await closeAll(opened);
    throw err;
  }
}

/** The streams a service's readers read (and move from). */
const streamsReadBy = (mode: TopologyMode, service: string) => [
  ...new Set(
    streamReaders(mode)
      .filter((q) => q.service === service)
      .flatMap((q) => [streamOf(q), ...(q.movedFrom ? [q.movedFrom] : [])]),
  ),
];

async function closeAll(opened: (() => Promise<unknown>)[]): Promise<void> {
  for (const close of opened.reverse()) await close().catch(() => {});
}
