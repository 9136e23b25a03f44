import { servicePorts } from '@orderly/events';
import { baseConfigSchema } from '@orderly/platform';
import { z } from 'zod';

export const configSchema = baseConfigSchema.extend({
  PORT: baseConfigSchema.shape.PORT.default(servicePorts.payment),
  /** Share of charges approved when the payment method is not a test method. */
  PAYMENT_SUCCESS_RATE: z.coerce.number().min(0).max(1).default(1),
});
export type Config = z.infer<typeof configSchema>;
