import type { ServiceDefinition } from '@orderly/platform';
import { configSchema } from './config.js';
import { notificationHandlers } from './handlers/notify.js';
import { notificationRoutes } from './http/notifications.js';
import { createMailer } from './mailer.js';

export const definition: ServiceDefinition<typeof configSchema> = {
  name: 'notification',
  configSchema,
  moduleUrl: import.meta.url,
  build: ({ db, config, logger }) => ({
    routes: notificationRoutes(db),
    handlers: notificationHandlers(createMailer(config.SMTP_URL, config.SMTP_FROM, logger)),
  }),
};
