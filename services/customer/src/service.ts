import type { ServiceDefinition } from '@orderly/platform';
import { configSchema } from './config.js';
import { customerHandlers } from './handlers/order-events.js';
import { customerRoutes } from './http/customers.js';

export const definition: ServiceDefinition<typeof configSchema> = {
  name: 'customer',
  configSchema,
  moduleUrl: import.meta.url,
  build: ({ db }) => ({
    routes: customerRoutes(db),
    consumers: { customer: customerHandlers },
    batched: ['customer'],
  }),
};
