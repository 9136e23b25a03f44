import type { ServiceDefinition } from '@orderly/platform';
import { configSchema } from './config.js';
import { lockBatch, stockRequests } from './handlers/stock-requests.js';
import { productApi } from './http/product-api.js';
import { productRoutes } from './http/product-routes.js';
import { demoSeeder } from './workers/demo-seeder.js';

export const definition: ServiceDefinition<typeof configSchema> = {
  name: 'inventory',
  configSchema,
  moduleUrl: import.meta.url,
  build: ({ db, config }) => ({
    routes: productRoutes(db),
    api: productApi,
    consumers: { inventory: stockRequests },
    batched: ['inventory'],
    prepareBatch: { inventory: lockBatch },
    workers: config.SEED_DEMO_CATALOGUE ? [demoSeeder(db)] : [],
  }),
};
