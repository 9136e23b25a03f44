import type { ServiceDefinition } from '@orderly/platform';
import { createMailer } from './adapters/mailer.js';
import { configSchema } from './config.js';
import { emailMetrics } from './email-metrics.js';
import { orderOutcomes } from './handlers/order-outcomes.js';
import { emailAdminRoutes } from './http/email-admin-routes.js';
import { notificationApi } from './http/notification-api.js';
import { notificationRoutes } from './http/notification-routes.js';
import { emailSender } from './workers/email-sender.js';

export const definition: ServiceDefinition<typeof configSchema> = {
  name: 'notification',
  configSchema,
  moduleUrl: import.meta.url,
  build: ({ db, config, logger, metrics }) => {
    const mailer = createMailer({ url: config.SMTP_URL, from: config.SMTP_FROM, timeoutMs: config.SMTP_TIMEOUT_MS }, logger);
    const sender = emailSender(
      db,
      mailer,
      {
        retry: { maxAttempts: config.EMAIL_MAX_ATTEMPTS, baseMs: config.EMAIL_RETRY_BASE_MS, maxMs: config.EMAIL_RETRY_MAX_MS },
        batchSize: config.EMAIL_BATCH_SIZE,
        sweepMs: config.EMAIL_SWEEP_MS,
      },
      emailMetrics(metrics, db.pool),
      logger,
    );
    const wake = () => sender.wake();
    const routes = notificationRoutes(db);
    routes.use(emailAdminRoutes(db, wake, logger).routes());
    return {
      api: notificationApi,
      routes,
      consumers: { notification: orderOutcomes(wake) },
      batched: ['notification'],
      // Its transactions only insert rows keyed by order and kind (ON CONFLICT DO NOTHING) and emit
      // nothing: a message read twice changes nothing, so no inbox claim per message (decision 0019).
      idempotent: ['notification'],
      workers: [{ start: () => sender.start(), stop: () => sender.stop().finally(() => mailer.close()) }],
    };
  },
};
