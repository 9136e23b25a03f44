import type { ServiceDefinition } from '@orderly/platform';
import { configSchema } from './config.js';
import { placeOrderSchema } from './domain/place-order.js';
import { orderHandlers } from './handlers/outcomes.js';
import { orderRoutes } from './http/orders.js';
import { orderMetrics } from './metrics.js';
import { choreography, Orchestrator } from './saga/orchestrator.js';
import { sagaTimeouts } from './saga/timeouts.js';

export const definition: ServiceDefinition<typeof configSchema> = {
  name: 'order',
  configSchema,
  moduleUrl: import.meta.url,
  build({ db, metrics, config, logger }) {
    const orders = orderMetrics(metrics);
    const orchestrated = config.SAGA_MODE === 'orchestration';
    const saga = orchestrated ? new Orchestrator(config.SAGA_STEP_TIMEOUT_MS) : choreography;
    return {
      routes: orderRoutes(db, orders, saga),
      api: {
        title: 'Orderly order',
        description: 'Place, follow and cancel orders. POST /orders honours an Idempotency-Key header.',
        bodies: { 'POST /orders': placeOrderSchema },
      },
      consumers: { order: orderHandlers(orders, saga) },
      batched: ['order'],
      workers: orchestrated ? [sagaTimeouts(db, saga, orders, logger, config.SAGA_TIMEOUT_POLL_MS)] : [],
    };
  },
};
