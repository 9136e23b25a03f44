import type { ServiceDefinition } from '@orderly/platform';
import { configSchema } from './config.js';
import { orderHandlers } from './handlers/outcomes.js';
import { orderRoutes } from './http/orders.js';
import { orderMetrics } from './metrics.js';

export const definition: ServiceDefinition<typeof configSchema> = {
  name: 'order',
  configSchema,
  moduleUrl: import.meta.url,
  build({ db, metrics }) {
    const orders = orderMetrics(metrics);
    return { routes: orderRoutes(db, orders), handlers: orderHandlers(orders) };
  },
};
