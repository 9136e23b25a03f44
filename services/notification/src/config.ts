import { servicePorts } from '@orderly/events';
import { baseConfigSchema } from '@orderly/platform';
import { z } from 'zod';

export const configSchema = baseConfigSchema.extend({
  PORT: baseConfigSchema.shape.PORT.default(servicePorts.notification),
  /** smtp(s)://user:pass@host:port; unset, messages are stored and logged but not mailed. */
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  SMTP_FROM: z.string().min(3).default('Orderly <orders@orderly.local>'),
});
export type Config = z.infer<typeof configSchema>;
