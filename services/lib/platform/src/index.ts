export { adminOperations } from './admin/admin-docs.js';
export type { DryRunAnswer } from './admin/dry-run.js';
export type { PendingEvent } from './admin/outbox-pending.js';
export { backoffDelay } from './backoff.js';
export { Broker } from './bus/broker.js';
export { managementClient } from './bus/management.js';
export { applyPolicies, assertTopology, removeStaleBindings, vhostOf } from './bus/topology.js';
export { asymmetricAlgorithms, type BaseConfig, baseConfigSchema, ConfigError, loadConfig } from './config.js';
export { migrate, type SchemaWait } from './db/migrate.js';
export { maintainPartitions, type PartitionedTable } from './db/partitions.js';
export { createPool, type Pool, type PoolClient } from './db/pool.js';
export { pruneBatch, pruner, type Retention } from './db/prune.js';
export { databaseUnavailable } from './db/unavailable.js';
export {
  type Authentication,
  actingFor,
  authenticate,
  type Caller,
  callerOf,
  forbidden,
  openPaths,
  ownedBy,
  requireOperator,
  type TokenVerifier,
  tokenVerifier,
  unauthorized,
} from './http/auth.js';
export { type ApiDocs, type OperationDoc, openApiDocument, type ResponseDoc } from './http/openapi.js';
export { HttpProblem, notFound, type ProblemType, problemTypes, stateConflict, validationProblem } from './http/problem.js';
export { createApp, startHttpServer } from './http/server.js';
export { bodyOf, parseOr400 } from './http/validate.js';
export {
  type AnyHandler,
  attemptHeader,
  Consumer,
  errorHeader,
  type Handler,
  type Handlers,
  type Message,
  NotYetError,
  PermanentError,
  parseEvent,
} from './inbound/consumer.js';
export { Lifecycle } from './lifecycle.js';
export { createLogger, type Logger } from './logger.js';
export { createMetrics, latencyBuckets, type Metrics, observeLatency, traceExemplar, traceparentExemplar } from './metrics.js';
export { outboxPartitions } from './outbound/outbox-retention.js';
export { Publisher } from './outbound/publisher.js';
export { OutboxRelay } from './outbound/relay.js';
export { packageDir } from './package-dir.js';
export { PollLoop, type PollLoopOptions, type TickResult } from './poll-loop.js';
export { runMain } from './run-main.js';
export {
  type RunningService,
  type ServiceContext,
  type ServiceDefinition,
  type ServiceParts,
  startService,
  type Worker,
} from './service.js';
export { flushTelemetry } from './telemetry/flush.js';
export { sendErrorType, sendSpan } from './telemetry/messaging-spans.js';
export { inboxPartitions } from './transaction/inbox.js';
export { RowBatch } from './transaction/queued-rows.js';
export { Database, type DryRun, type PrepareBatch, type Tx, TxLocal } from './transaction/transaction.js';
