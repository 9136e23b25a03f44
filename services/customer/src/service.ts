import type { ServiceDefinition } from '@orderly/platform';
import { configSchema } from './config.js';
import { orderEvents } from './handlers/order-events.js';
import { customerApi } from './http/customer-api.js';
import { customerRoutes } from './http/customer-routes.js';

export const definition: ServiceDefinition<typeof configSchema> = {
  name: 'customer',
  configSchema,
  moduleUrl: import.meta.url,
  build: ({ db }) => ({
    routes: customerRoutes(db),
    api: customerApi,
    consumers: { customer: orderEvents },
    batched: ['customer'],
    // The history folds a repeated event into the same row (domain/history.ts): no inbox claim.
    idempotent: ['customer'],
  }),
};
