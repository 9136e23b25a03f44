import type { Database, Metrics } from '@orderly/platform';
import { recordedDatabase } from '@orderly/platform/testing';
import type pg from 'pg';
import { type OpenMetricsContentType, Registry } from 'prom-client';
import { orderMetrics } from '../src/metrics.js';
import { sagaFor } from '../src/saga/coordinator.js';
import type { OrderDeps } from '../src/use-cases/order-deps.js';

/** The order service's database with every statement it sends recorded (recordedDatabase). */
export const recorded = (pool: pg.Pool) => recordedDatabase(pool, 'order');

/** What the use cases need, on the given database, in the given saga mode. */
export function depsOn(db: Database, sagaMode: 'choreography' | 'orchestration' = 'choreography'): OrderDeps {
  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  return {
    db,
    metrics: orderMetrics({ registry } as unknown as Metrics),
    saga: sagaFor(sagaMode, 60_000),
    sagaMode,
    stuckAfterS: 60,
    idempotencyKeyRetentionHours: 1,
  };
}
