import { baseConfigSchema } from '@orderly/platform';
import type { z } from 'zod';

export const configSchema = baseConfigSchema.extend({
  PORT: baseConfigSchema.shape.PORT.default(8085),
});
export type Config = z.infer<typeof configSchema>;
