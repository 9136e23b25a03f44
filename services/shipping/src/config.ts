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
  /**
   * The longest the timer worker sleeps while nothing is due: it wakes for the next due timer it
   * knows of, so this only bounds how late a timer another replica left behind is seen.
   */
  SHIPPING_TIMER_POLL_MS: z.coerce.number().int().positive().default(5_000),
  /**
   * The shortest gap between two ticks: timers fire up to this late, and each tick takes every timer
   * due meanwhile in one transaction instead of one tick (and commit) per due time. 0: each at its time.
   */
  SHIPPING_TIMER_LINGER_MS: millis.max(5_000).default(100),
});
export type Config = z.infer<typeof configSchema>;
