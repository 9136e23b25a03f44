import Router from '@koa/router';
import { consumerQueues } from '@orderly/events';
import { PollLoop, pruner, type ServiceContext, type ServiceDefinition, type ServiceParts } from '@orderly/platform';
import { consoleAuth } from './auth/console-auth.js';
import { ConsoleBroker } from './bus/console-broker.js';
import { DeadLetterKeeper } from './bus/dead-letter-keeper.js';
import { Pacer } from './bus/pacer.js';
import { type Config, configSchema } from './config.js';
import { consoleWebOperations } from './http/console-web-api.js';
import { deadLetterOperations } from './http/dead-letter-api.js';
import { deadLetterRoutes } from './http/dead-letter-routes.js';
import { consoleMetrics } from './metrics.js';
import { recordDeadLetter } from './use-cases/record-dead-letter.js';
import { Redrives } from './use-cases/redrive-dead-letters.js';
import { consoleWeb } from './web/console-web.js';
import { deadLettersFromStore } from './web/dead-letters-of.js';
import { baseUrlsFrom } from './web/services-client.js';

/**
 * The dead letters (decision 0011): the keeper records every parked message of the mode's queues
 * on a broker connection of its own, the API searches and acts on them, and redrives left
 * half-done are resumed.
 */
function deadLetters({ db, config, logger, metrics, lifecycle }: ServiceContext<Config>) {
  const counts = consoleMetrics(metrics, db.pool, logger);
  const broker = new ConsoleBroker(
    { url: config.AMQP_URL, mode: config.SAGA_MODE, connectAttempts: config.BROKER_CONNECT_ATTEMPTS },
    metrics,
    logger,
  );
  const keeper = new DeadLetterKeeper(
    broker,
    recordDeadLetter(db, counts, logger, config.MESSAGE_MAX_BYTES),
    { queues: consumerQueues(config.SAGA_MODE).map((q) => q.queue), prefetch: config.DEAD_LETTER_PREFETCH },
    logger,
    (labels) => counts.quarantined.inc(labels),
  );
  const redrives = new Redrives(db, broker.publisher, new Pacer(config.REDRIVE_RATE_PER_S), counts, logger);
  const resumeEveryMs = Math.min(Math.max((config.REDRIVE_RESUME_AFTER_S * 1000) / 2, 500), 10_000);
  const resumer = new PollLoop(() => redrives.resume(config.REDRIVE_RESUME_AFTER_S), {
    name: 'redrive resumer',
    everyMs: resumeEveryMs,
    logger,
  });
  // Resolved rows go after their retention; parked ones stay until someone acts on them.
  const resolved = { table: 'dead_letters', column: 'resolved_at', retentionHours: config.DEAD_LETTER_RETENTION_HOURS };
  // Not ready while parked messages cannot be recorded or redriven.
  lifecycle.addCheck('dead-letter keeper', () => keeper.consuming);
  lifecycle.addCheck('redrive publisher', () => broker.publisher.connected);
  return {
    routes: deadLetterRoutes({
      db,
      redrives,
      metrics: counts,
      logger,
      mode: config.SAGA_MODE,
      baseUrlOf: baseUrlsFrom(config.SERVICE_URL_TEMPLATE),
    }),
    workers: [broker, keeper, resumer, pruner(db.pool, resolved, config.PRUNE_EVERY_MS, logger)],
  };
}

/** The operators' web console (src/web, src/auth): the sign-in, the pages and the views behind them. */
function web({ db, config, logger }: ServiceContext<Config>) {
  const auth = consoleAuth(config, logger);
  const pages = consoleWeb({
    baseUrlOf: baseUrlsFrom(config.SERVICE_URL_TEMPLATE),
    deadLettersOf: deadLettersFromStore(db.pool),
    logger,
    prometheusUrl: config.PROMETHEUS_URL,
    traceUrlTemplate: config.TRACE_URL_TEMPLATE,
    stuckAfterS: config.STUCK_AFTER_S,
  });
  return { auth, pages };
}

export const definition: ServiceDefinition<typeof configSchema> = {
  name: 'console',
  configSchema,
  moduleUrl: import.meta.url,
  build: (ctx): ServiceParts => {
    const dead = deadLetters(ctx);
    const { auth, pages } = web(ctx);
    const routes = new Router();
    for (const r of [dead.routes, auth.routes, pages.routes]) routes.use(r.routes(), r.allowedMethods({ throw: true }));
    return {
      routes,
      api: {
        title: 'Orderly console',
        description: 'The operations console: parked messages (search, dry run, redrive, discard) and the operators’ views of orders.',
        operations: { ...deadLetterOperations, ...consoleWebOperations },
      },
      openPaths: auth.openPaths,
      authenticate: auth.authenticate,
      workers: [...dead.workers, ...pages.workers],
    };
  },
};
