import type { ServiceDefinition } from '@orderly/platform';
import { createMailer } from './adapters/mailer.js';
import { configSchema } from './config.js';
import { emailChannel } from './handlers/email-channel.js';
import { orderOutcomes } from './handlers/order-outcomes.js';
import { notificationApi } from './http/notification-api.js';
import { notificationRoutes } from './http/notification-routes.js';

export const definition: ServiceDefinition<typeof configSchema> = {
  name: 'notification',
  configSchema,
  moduleUrl: import.meta.url,
  build: ({ db, config, logger }) => ({
    api: notificationApi,
    routes: notificationRoutes(db),
    consumers: {
      notification: orderOutcomes,
      'notification.email': emailChannel(createMailer(config.SMTP_URL, config.SMTP_FROM, logger)),
    },
    // Not the email channel: a batch rolled back after some mails went out would send them again.
    batched: ['notification'],
  }),
};
