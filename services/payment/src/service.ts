import type { ServiceDefinition } from '@orderly/platform';
import { configSchema } from './config.js';
import { paymentHandlers } from './handlers/charges.js';
import { paymentRoutes } from './http/payments.js';

export const definition: ServiceDefinition<typeof configSchema> = {
  name: 'payment',
  configSchema,
  moduleUrl: import.meta.url,
  build: ({ db, config }) => ({
    routes: paymentRoutes(db),
    consumers: { payment: paymentHandlers(config.PAYMENT_SUCCESS_RATE) },
    batched: ['payment'],
  }),
};
