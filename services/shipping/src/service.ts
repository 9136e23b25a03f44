import type { ServiceDefinition } from '@orderly/platform';
import { configSchema } from './config.js';
import { shippingRequests } from './handlers/shipping-requests.js';
import { shipmentApi } from './http/shipment-api.js';
import { shipmentRoutes } from './http/shipment-routes.js';
import { shipmentTimers } from './workers/shipment-timers.js';

export const definition: ServiceDefinition<typeof configSchema> = {
  name: 'shipping',
  configSchema,
  moduleUrl: import.meta.url,
  build: ({ db, config, logger }) => {
    const delays = { dispatchMs: config.SHIPPING_DISPATCH_DELAY_MS, deliveryMs: config.SHIPPING_DELIVERY_DELAY_MS };
    const timers = shipmentTimers(db, { delays, pollMs: config.SHIPPING_TIMER_POLL_MS, lingerMs: config.SHIPPING_TIMER_LINGER_MS }, logger);
    return {
      api: shipmentApi,
      routes: shipmentRoutes(db),
      consumers: { shipping: shippingRequests(delays, logger, (ms) => timers.wakeWithin(ms)) },
      batched: ['shipping'],
      // Shipping follows the order's decision: its batches may wait for company.
      lingering: ['shipping'],
      workers: [timers],
    };
  },
};
