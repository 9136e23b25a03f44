import type Router from '@koa/router';
import type { Middleware } from 'koa';
import type { z } from 'zod';
import type { BaseConfig } from './config.js';
import type { ApiDocs } from './http/openapi.js';
import type { Handlers } from './inbound/consumer.js';
import type { Message } from './inbound/handlers.js';
import type { Lifecycle } from './lifecycle.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { Database, PrepareBatch } from './transaction/transaction.js';

export interface ServiceContext<C extends BaseConfig> {
  config: C;
  logger: Logger;
  metrics: Metrics;
  db: Database;
  lifecycle: Lifecycle;
}

/** Something a service runs beside its consumer (a timer, a seeder): started last, stopped first. */
export interface Worker {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** What a service adds to the runtime: its HTTP routes, its handlers per queue and its workers. */
export interface ServiceParts {
  routes?: Router;
  /** Request schemas and a title for the generated OpenAPI document (/openapi.json, /docs). */
  api?: ApiDocs;
  consumers?: Record<string, Handlers>;
  /** Queues whose messages may be handled several in one transaction: handlers that lock at most
   * the rows of their own order, or that lock the rows they share in prepareBatch (see BatchedHandling). */
  batched?: string[];
  /** Batched queues off the order's path (what they do follows the decision): a batch that is not
   * full waits CONSUMER_LINGER_MS for more, so one commit serves many (decision 0030). */
  lingering?: string[];
  /** Per batched queue: run in a batch's transaction before its messages' work (see PrepareBatch). */
  prepareBatch?: Record<string, PrepareBatch<Message>>;
  /** Stream readers whose writes are idempotent by event id: they need no inbox claim per message. */
  idempotent?: string[];
  workers?: Worker[];
  /** Paths served without authentication besides the platform's (a sign-in page, its callback, static assets):
   * exact, or every path under one ending in '/'. */
  openPaths?: string[];
  /** Replaces the bearer-token check of every other path (the console also accepts its session cookie); gets
   * the bearer check to fall back on, and must set ctx.state.caller before calling next. */
  authenticate?: (bearer: Middleware) => Middleware;
}

export interface ServiceDefinition<S extends z.ZodType<BaseConfig>> {
  name: string;
  configSchema: S;
  /** import.meta.url of a module of the service: its package holds migrations/. */
  moduleUrl: string;
  build(ctx: ServiceContext<z.infer<S>>): ServiceParts;
}

export interface RunningService<C> {
  config: C;
  port: number;
  db: Database;
  metrics: Metrics;
  logger: Logger;
  stop(): Promise<void>;
}
