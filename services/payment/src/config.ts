import { servicePorts } from '@orderly/events';
import { baseConfigSchema } from '@orderly/platform';
import { z } from 'zod';

export const configSchema = baseConfigSchema.extend({
  PORT: baseConfigSchema.shape.PORT.default(servicePorts.payment),
  /** Share of charges approved when the payment method is not a test method. */
  PAYMENT_SUCCESS_RATE: z.coerce.number().min(0).max(1).default(1),
  /** Sandbox mode: pm_card_visa always approves, pm_card_declined always declines. On locally, in
   * the tests and on kind; off in production, where they are ordinary methods. */
  PAYMENT_SANDBOX: z.stringbool().default(false),
});
export type Config = z.infer<typeof configSchema>;
