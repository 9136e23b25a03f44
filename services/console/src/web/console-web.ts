import Router from '@koa/router';
import type { Logger, Worker } from '@orderly/platform';
import { apiRoutes } from './api-routes.js';
import { graphLinks } from './graph-links.js';
import { LiveOrders } from './live-orders.js';
import { type BaseUrlOf, ServicesClient } from './services-client.js';
import { webRoutes } from './web-routes.js';
import type { DeadLettersOf } from './xray.js';

export interface ConsoleWebOptions {
  baseUrlOf: BaseUrlOf;
  /** The console's dead-letter store: an order's parked messages. */
  deadLettersOf: DeadLettersOf;
  logger: Logger;
  prometheusUrl?: string | undefined;
  traceUrlTemplate?: string | undefined;
  stuckAfterS: number;
  /** How often the live list asks the order service while someone watches (1 s). */
  livePollMs?: number;
}

/** The console's pages and the views behind them, as routes and the one worker (the live list). */
export function consoleWeb(o: ConsoleWebOptions): { routes: Router; live: LiveOrders; workers: Worker[] } {
  const services = new ServicesClient(o.baseUrlOf);
  const live = new LiveOrders(services, o.logger, { pollMs: o.livePollMs ?? 1000 });
  const routes = new Router();
  for (const r of [
    webRoutes(),
    apiRoutes({
      services,
      live,
      deadLettersOf: o.deadLettersOf,
      traceUrlTemplate: o.traceUrlTemplate,
      stuckAfterS: o.stuckAfterS,
      graphs: graphLinks(o.prometheusUrl),
    }),
  ])
    routes.use(r.routes(), r.allowedMethods({ throw: true }));
  return { routes, live, workers: [live] };
}
