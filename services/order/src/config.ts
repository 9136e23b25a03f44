import { servicePorts } from '@orderly/events';
import { baseConfigSchema } from '@orderly/platform';
import { z } from 'zod';

export const configSchema = baseConfigSchema.extend({
  PORT: baseConfigSchema.shape.PORT.default(servicePorts.order),
  /** Orchestration mode: a saga step with no reply within this time is compensated. */
  SAGA_STEP_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  SAGA_TIMEOUT_POLL_MS: z.coerce.number().int().positive().default(1_000),
});
export type Config = z.infer<typeof configSchema>;
