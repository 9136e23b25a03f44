import type { ServiceDefinition } from '@orderly/platform';
import { configSchema } from './config.js';
import { inventoryHandlers } from './handlers/reservations.js';
import { productRoutes } from './http/products.js';
import { demoSeeder } from './seed.js';

export const definition: ServiceDefinition<typeof configSchema> = {
  name: 'inventory',
  configSchema,
  moduleUrl: import.meta.url,
  build: ({ db, config }) => ({
    routes: productRoutes(db),
    consumers: { inventory: inventoryHandlers },
    workers: config.SEED_DEMO_CATALOGUE ? [demoSeeder(db)] : [],
  }),
};
