import { Database, type Metrics } from '@orderly/platform';
import type pg from 'pg';
import { type OpenMetricsContentType, Registry } from 'prom-client';
import { orderMetrics } from '../src/metrics.js';
import { sagaFor } from '../src/saga/coordinator.js';
import type { OrderDeps } from '../src/use-cases/order-deps.js';

/**
 * The service's database with every statement it sends recorded, on the real server: their texts,
 * and the round trips they took. A round trip starts when a statement is sent while none is
 * outstanding; statements sent before the earlier ones answered (the connection pipelines them)
 * share it.
 */
export function recorded(pool: pg.Pool): { db: Database; statements: string[]; roundTrips: () => number } {
  const statements: string[] = [];
  let outstanding = 0;
  let roundTrips = 0;
  const record = (client: pg.Pool | pg.PoolClient) => (config: string | { text: string }, values?: unknown[]) => {
    statements.push(typeof config === 'string' ? config : config.text);
    if (outstanding === 0) roundTrips += 1;
    outstanding += 1;
    const settled = () => {
      outstanding -= 1;
    };
    const answer = client.query(config, values) as unknown as Promise<unknown>;
    answer.then(settled, settled);
    return answer;
  };
  const wrap = <T extends pg.Pool | pg.PoolClient>(target: T, extra: Partial<Record<keyof T, unknown>> = {}): T =>
    new Proxy(target, {
      get: (t, key) => {
        if (key === 'query') return record(t);
        if (key in extra) return extra[key as keyof T];
        const value = Reflect.get(t, key);
        return typeof value === 'function' ? value.bind(t) : value;
      },
    });
  const counted = wrap(pool, { connect: async () => wrap(await pool.connect()) } as Partial<Record<keyof pg.Pool, unknown>>);
  return { db: new Database(counted, 'order'), statements, roundTrips: () => roundTrips };
}

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
