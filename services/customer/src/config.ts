import { servicePorts } from '@orderly/events';
import { baseConfigSchema } from '@orderly/platform';
import type { z } from 'zod';

export const configSchema = baseConfigSchema.extend({
  PORT: baseConfigSchema.shape.PORT.default(servicePorts.customer),
});
export type Config = z.infer<typeof configSchema>;
