import type { ServiceDefinition } from '@orderly/platform';
import { configSchema } from './config.js';
import { inventoryHandlers } from './handlers/reservations.js';
import { productRoutes, restockBody } from './http/products.js';
import { demoSeeder } from './seed.js';

export const definition: ServiceDefinition<typeof configSchema> = {
  name: 'inventory',
  configSchema,
  moduleUrl: import.meta.url,
  build: ({ db, config }) => ({
    routes: productRoutes(db),
    api: { title: 'Orderly inventory', description: 'Catalogue, prices and stock.', bodies: { 'PUT /products/{sku}/stock': restockBody } },
    consumers: { inventory: inventoryHandlers },
    workers: config.SEED_DEMO_CATALOGUE ? [demoSeeder(db)] : [],
  }),
};
