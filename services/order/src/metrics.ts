import { latencyBuckets, type Metrics } from '@orderly/platform';
import { Counter, Histogram } from 'prom-client';

/** The order service's own metrics (docs/architecture.md#metrics), on the service's registry. */
export function orderMetrics(metrics: Metrics) {
  const registers = [metrics.registry];
  return {
    transitions: new Counter({
      name: 'orderly_orders_total',
      help: 'Orders entering each status',
      labelNames: ['status'],
      registers,
    }),
    completion: new Histogram({
      name: 'orderly_order_completion_seconds',
      help: 'Time from order placed to the saga deciding it (confirmed, rejected or cancelled)',
      labelNames: ['outcome'],
      buckets: latencyBuckets,
      enableExemplars: true,
      registers,
    }),
  };
}
export type OrderMetrics = ReturnType<typeof orderMetrics>;
