import { servicePorts } from '@orderly/events';
import { baseConfigSchema } from '@orderly/platform';
import { z } from 'zod';

const millis = z.coerce.number().int().positive();

export const configSchema = baseConfigSchema.extend({
  PORT: baseConfigSchema.shape.PORT.default(servicePorts.notification),
  /** smtp(s)://user:pass@host:port; unset, messages are stored and logged but not mailed. */
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  SMTP_FROM: z.string().min(3).default('Orderly <orders@orderly.local>'),
  /** How long one SMTP connection, greeting or reply may take: the sender's transaction is open meanwhile. */
  SMTP_TIMEOUT_MS: millis.default(10_000),
  /** Attempts per email before it is parked for an operator (a permanent refusal parks at once). */
  EMAIL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(12),
  /** Back-off after a failed attempt: from base, doubling per attempt up to max, with jitter (≈ 90 minutes over 12 attempts). */
  EMAIL_RETRY_BASE_MS: millis.default(10_000),
  EMAIL_RETRY_MAX_MS: millis.default(900_000),
  /** Due emails claimed (and sent) per transaction. */
  EMAIL_BATCH_SIZE: z.coerce.number().int().min(1).max(500).default(20),
  /**
   * The longest the sender sleeps with nothing due that it knows of: it is woken by this process's
   * commits and by its own retry times, so this only bounds how late it sees rows another replica left.
   */
  EMAIL_SWEEP_MS: millis.default(60_000),
});
export type Config = z.infer<typeof configSchema>;
