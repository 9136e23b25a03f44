import { servicePorts } from '@orderly/events';
import { baseConfigSchema } from '@orderly/platform';
import { z } from 'zod';

export const configSchema = baseConfigSchema.extend({
  PORT: baseConfigSchema.shape.PORT.default(servicePorts.order),
  /** Orchestration mode: a saga step with no reply within this time is compensated. */
  SAGA_STEP_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  SAGA_TIMEOUT_POLL_MS: z.coerce.number().int().positive().default(1_000),
  /** An Idempotency-Key answers with its first order for this long; after it, the key is free again
   * (a new request) and its row is pruned. Clients retry within minutes; 24 h as Stripe's. */
  IDEMPOTENCY_KEY_RETENTION_HOURS: z.coerce.number().int().min(1).max(8_760).default(24),
  /** GET /orders/stuck without olderThanS: an order not decided or delivered, unchanged this long, is stuck. */
  STUCK_AFTER_S: z.coerce.number().int().min(1).max(31_536_000).default(300),
});
export type Config = z.infer<typeof configSchema>;
