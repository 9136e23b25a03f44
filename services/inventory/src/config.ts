import { servicePorts } from '@orderly/events';
import { baseConfigSchema } from '@orderly/platform';
import { z } from 'zod';

export const configSchema = baseConfigSchema.extend({
  PORT: baseConfigSchema.shape.PORT.default(servicePorts.inventory),
  /** Loads the demo catalogue at start where a SKU is missing (the local stack and tests). */
  SEED_DEMO_CATALOGUE: z.stringbool().default(false),
});
export type Config = z.infer<typeof configSchema>;
