import { servicePorts } from '@orderly/events';
import { baseConfigSchema } from '@orderly/platform';
import { z } from 'zod';

const millis = z.coerce.number().int().min(0);

export const configSchema = baseConfigSchema.extend({
  PORT: baseConfigSchema.shape.PORT.default(servicePorts.shipping),
  /** Time from shipment.created to shipment.dispatched. */
  SHIPPING_DISPATCH_DELAY_MS: millis.default(5_000),
  /** Time from shipment.dispatched to shipment.delivered. */
  SHIPPING_DELIVERY_DELAY_MS: millis.default(10_000),
  /** How often the timer worker looks for due timers when none was due last time. */
  SHIPPING_TIMER_POLL_MS: z.coerce.number().int().positive().default(250),
});
export type Config = z.infer<typeof configSchema>;
