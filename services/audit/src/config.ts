import { servicePorts } from '@orderly/events';
import { baseConfigSchema } from '@orderly/platform';
import { z } from 'zod';

export const configSchema = baseConfigSchema
  .extend({
    PORT: baseConfigSchema.shape.PORT.default(servicePorts.audit),
    /** Rows the CSV export fetches from its server-side cursor at a time: about what one export holds in memory. */
    EXPORT_BATCH_ROWS: z.coerce.number().int().min(10).max(10_000).default(500),
    /** CSV exports running at once; each holds a database connection for as long as it streams. */
    EXPORT_MAX_CONCURRENT: z.coerce.number().int().min(1).max(100).default(2),
    /** The longest one CSV export may take (a slow reader holds a connection and a snapshot meanwhile); then it is cut off. */
    EXPORT_TIME_LIMIT_MS: z.coerce.number().int().min(100).max(3_600_000).default(120_000),
  })
  .refine((c) => c.EXPORT_MAX_CONCURRENT < c.DB_POOL_SIZE, {
    message: 'must be below DB_POOL_SIZE, so exports always leave connections for the consumer',
    path: ['EXPORT_MAX_CONCURRENT'],
  });
export type Config = z.infer<typeof configSchema>;
