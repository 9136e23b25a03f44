import type { Database } from '@orderly/platform';
import type { OrderMetrics } from '../metrics.js';
import type { SagaCoordinator, SagaMode } from '../saga/coordinator.js';

/** What the order's use cases work with, built once in service.ts. */
export interface OrderDeps {
  db: Database;
  metrics: OrderMetrics;
  saga: SagaCoordinator;
  sagaMode: SagaMode;
  /** STUCK_AFTER_S: GET /orders/stuck's default age. */
  stuckAfterS: number;
  /** IDEMPOTENCY_KEY_RETENTION_HOURS */
  idempotencyKeyRetentionHours: number;
}
