import type { ServiceDefinition } from '@orderly/platform';
import { configSchema } from './config.js';
import { shippingHandlers } from './handlers/shipments.js';
import { shipmentRoutes } from './http/shipments.js';
import { TimerWorker } from './timer-worker.js';

export const definition: ServiceDefinition<typeof configSchema> = {
  name: 'shipping',
  configSchema,
  moduleUrl: import.meta.url,
  build: ({ db, config, logger }) => {
    const delays = { dispatchMs: config.SHIPPING_DISPATCH_DELAY_MS, deliveryMs: config.SHIPPING_DELIVERY_DELAY_MS };
    return {
      routes: shipmentRoutes(db),
      consumers: { shipping: shippingHandlers(delays, logger) },
      batched: ['shipping'],
      workers: [new TimerWorker(db, { delays, pollMs: config.SHIPPING_TIMER_POLL_MS }, logger)],
    };
  },
};
