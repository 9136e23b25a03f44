import { pruner, type ServiceDefinition } from '@orderly/platform';
import { configSchema } from './config.js';
import { lockBatch, participantOutcomes } from './handlers/participant-outcomes.js';
import { orderApi } from './http/order-api.js';
import { orderRoutes } from './http/order-routes.js';
import { orderMetrics } from './metrics.js';
import { sagaFor, sagaHasDeadlines } from './saga/coordinator.js';
import { sagasInFlightGauge } from './saga/in-flight.js';
import { idempotencyKeyRetention } from './store/idempotency-store.js';
import type { OrderDeps } from './use-cases/order-deps.js';
import { sagaTimeouts } from './workers/saga-timeouts.js';

export const definition: ServiceDefinition<typeof configSchema> = {
  name: 'order',
  configSchema,
  moduleUrl: import.meta.url,
  build({ db, metrics, config, logger }) {
    const deps: OrderDeps = {
      db,
      metrics: orderMetrics(metrics),
      saga: sagaFor(config.SAGA_MODE, config.SAGA_STEP_TIMEOUT_MS, config.SAGA_SWITCHING),
      sagaMode: config.SAGA_MODE,
      stuckAfterS: config.STUCK_AFTER_S,
      idempotencyKeyRetentionHours: config.IDEMPOTENCY_KEY_RETENTION_HOURS,
    };
    sagasInFlightGauge(metrics, db.pool);
    const keyExpiry = pruner(db.pool, idempotencyKeyRetention(config.IDEMPOTENCY_KEY_RETENTION_HOURS), config.PRUNE_EVERY_MS, logger);
    return {
      routes: orderRoutes(deps),
      api: orderApi,
      consumers: { order: participantOutcomes(deps) },
      batched: ['order'],
      prepareBatch: { order: lockBatch(deps) },
      workers: [
        keyExpiry,
        ...(sagaHasDeadlines(config.SAGA_MODE, config.SAGA_SWITCHING) ? [sagaTimeouts(deps, logger, config.SAGA_TIMEOUT_POLL_MS)] : []),
      ],
    };
  },
};
