import type { ServiceDefinition } from '@orderly/platform';
import { configSchema } from './config.js';
import { auditHandlers } from './handlers/record.js';
import { activityRoutes } from './http/activity.js';

export const definition: ServiceDefinition<typeof configSchema> = {
  name: 'audit',
  configSchema,
  moduleUrl: import.meta.url,
  build: ({ db, config, logger }) => ({
    routes: activityRoutes(db, { exportBatchRows: config.EXPORT_BATCH_ROWS, exportMaxConcurrent: config.EXPORT_MAX_CONCURRENT, logger }),
    consumers: { audit: auditHandlers },
    batched: ['audit'],
  }),
};
