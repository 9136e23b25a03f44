import type { ServiceDefinition } from '@orderly/platform';
import { configSchema } from './config.js';
import { paymentRequests } from './handlers/payment-requests.js';
import { paymentApi } from './http/payment-api.js';
import { paymentRoutes } from './http/payment-routes.js';

export const definition: ServiceDefinition<typeof configSchema> = {
  name: 'payment',
  configSchema,
  moduleUrl: import.meta.url,
  build: ({ db, config }) => ({
    api: paymentApi,
    routes: paymentRoutes(db),
    consumers: { payment: paymentRequests({ successRate: config.PAYMENT_SUCCESS_RATE, sandbox: config.PAYMENT_SANDBOX }) },
    batched: ['payment'],
  }),
};
