import type { ServiceDefinition } from '@orderly/platform';
import { configSchema } from './config.js';
import { emailChannel, logChannel } from './handlers/channels.js';
import { composeHandlers } from './handlers/compose.js';
import { notificationRoutes } from './http/notifications.js';
import { createMailer } from './mailer.js';

export const definition: ServiceDefinition<typeof configSchema> = {
  name: 'notification',
  configSchema,
  moduleUrl: import.meta.url,
  build: ({ db, config, logger }) => ({
    routes: notificationRoutes(db),
    consumers: {
      notification: composeHandlers,
      'notification.log': logChannel,
      'notification.email': emailChannel(createMailer(config.SMTP_URL, config.SMTP_FROM, logger)),
    },
    // Not the email channel: a batch rolled back after some mails went out would send them again.
    batched: ['notification', 'notification.log'],
  }),
};
