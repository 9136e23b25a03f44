import type { ServiceDefinition } from '@orderly/platform';
import { configSchema } from './config.js';
import { allMessages } from './handlers/all-messages.js';
import { activityRoutes } from './http/activity-routes.js';

export const definition: ServiceDefinition<typeof configSchema> = {
  name: 'audit',
  configSchema,
  moduleUrl: import.meta.url,
  build: ({ db, config, logger }) => ({
    routes: activityRoutes(db, {
      exportBatchRows: config.EXPORT_BATCH_ROWS,
      exportMaxConcurrent: config.EXPORT_MAX_CONCURRENT,
      exportTimeLimitMs: config.EXPORT_TIME_LIMIT_MS,
      logger,
    }),
    consumers: { audit: allMessages },
    batched: ['audit'],
  }),
};
