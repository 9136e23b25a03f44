import { createPool, type ServiceDefinition } from '@orderly/platform';
import { configSchema } from './config.js';
import { allMessages } from './handlers/all-messages.js';
import { activityApi } from './http/activity-api.js';
import { activityRoutes } from './http/activity-routes.js';

export const definition: ServiceDefinition<typeof configSchema> = {
  name: 'audit',
  configSchema,
  moduleUrl: import.meta.url,
  build: ({ db, config, logger }) => {
    // Exports stream through a cursor on connections of their own: the service's pool pipelines.
    const exportPool = createPool(config.DATABASE_URL, config.DB_SCHEMA ?? 'audit', config.EXPORT_MAX_CONCURRENT, { pipeline: false });
    return {
      api: activityApi,
      routes: activityRoutes(db, {
        exportPool,
        exportBatchRows: config.EXPORT_BATCH_ROWS,
        exportMaxConcurrent: config.EXPORT_MAX_CONCURRENT,
        exportTimeLimitMs: config.EXPORT_TIME_LIMIT_MS,
        logger,
      }),
      consumers: { audit: allMessages },
      batched: ['audit'],
      // The event id is the activity's key.
      idempotent: ['audit'],
      workers: [{ start: async () => {}, stop: () => exportPool.end() }],
    };
  },
};
