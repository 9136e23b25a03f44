import type { ServiceDefinition } from '@orderly/platform';
import { configSchema } from './config.js';
import { stockRequests } from './handlers/stock-requests.js';
import { productRoutes, restockBody } from './http/product-routes.js';
import { demoSeeder } from './workers/demo-seeder.js';

export const definition: ServiceDefinition<typeof configSchema> = {
  name: 'inventory',
  configSchema,
  moduleUrl: import.meta.url,
  build: ({ db, config }) => ({
    routes: productRoutes(db),
    api: { title: 'Orderly inventory', description: 'Catalogue, prices and stock.', bodies: { 'PUT /products/{sku}/stock': restockBody } },
    consumers: { inventory: stockRequests },
    workers: config.SEED_DEMO_CATALOGUE ? [demoSeeder(db)] : [],
  }),
};
