import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodyParser } from '@koa/bodyparser';
import Router from '@koa/router';
import { asyncApiDocument, asyncApiHtml, sagaModes } from '@orderly/events';
import Koa from 'koa';
import type { Lifecycle } from '../lifecycle.js';
import type { Logger } from '../logger.js';
import { type Metrics, observeLatency } from '../metrics.js';
import { wantsOpenMetrics } from '../telemetry/exposition.js';
import { sharedRenders } from '../telemetry/shared-renders.js';
import { type Authentication, authenticate, openPathTest, type TokenVerifier } from './auth.js';
import { docsRoutes } from './docs.js';
import { type ApiDocs, openApiDocument } from './openapi.js';
import { HttpProblem } from './problem.js';
import { allowedMethods, onlyJsonBodies, problemTypePage } from './rfc.js';

export interface HttpServerOptions {
  port: number;
  logger: Logger;
  metrics: Metrics;
  lifecycle: Lifecycle;
  routes?: Router | Router[];
  bodyLimit?: string;
  /** Larger (or smaller) body limits for some paths, exact: { '/admin/dry-run': '256kb' }. */
  bodyLimits?: Record<string, string>;
  /** Shown by /healthz: which service this is and how it runs. */
  info?: Record<string, string>;
  /** Served as /openapi.json and /docs. */
  api?: ApiDocs;
  /** Verifies the bearer token of every request but the open paths (required with routes). */
  auth?: TokenVerifier;
  /** The service's own open paths and authenticator, if it has them (the console). */
  authentication?: Authentication;
  /** A /metrics answer is rendered at most once per this long, shared by the scrapes meanwhile (default 1 s). */
  metricsMaxAgeMs?: number;
  /** How long a client may take over a request's headers, and over the whole request with its body. */
  timeouts?: HttpTimeouts;
}

export interface HttpTimeouts {
  /** HTTP_HEADERS_TIMEOUT_MS */
  headersMs: number;
  /** HTTP_REQUEST_TIMEOUT_MS: headers and body. */
  requestMs: number;
}

/** The defaults of HTTP_HEADERS_TIMEOUT_MS and HTTP_REQUEST_TIMEOUT_MS (config.ts). */
export const defaultTimeouts: HttpTimeouts = { headersMs: 10_000, requestMs: 30_000 };

export interface HttpServer {
  server: Server;
  port: number;
  close(): Promise<void>;
}

function problemFrom(err: unknown): HttpProblem {
  if (err instanceof HttpProblem) return err;
  const e = err as { status?: number; expose?: boolean; message?: string; type?: string };
  if (e.status === 413 || e.type === 'entity.too.large') {
    return new HttpProblem(413, 'Payload too large', 'the request body is larger than the service accepts');
  }
  // 4xx errors from koa and the body parser describe the client's input (e.g. malformed JSON).
  if (e.status && e.status >= 400 && e.status < 500) {
    return new HttpProblem(e.status, 'Request refused', e.message);
  }
  return new HttpProblem(500, 'Internal error', undefined, {}, { cause: err });
}

export function createApp({
  logger,
  metrics,
  lifecycle,
  routes: given,
  bodyLimit = '32kb',
  bodyLimits = {},
  info = {},
  api,
  auth,
  authentication = {},
  metricsMaxAgeMs = 1_000,
}: Omit<HttpServerOptions, 'port' | 'timeouts'>): Koa {
  const routes = given === undefined ? [] : Array.isArray(given) ? given : [given];
  if (routes.length > 0 && !auth) throw new Error('routes need a token verifier (auth): no API is served without authentication');
  const app = new Koa();
  // A client that goes away mid-response (a cancelled CSV download) is not a server error.
  app.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'ECONNRESET' || err.code === 'ERR_STREAM_PREMATURE_CLOSE' || err.code === 'EPIPE') {
      logger.debug({ code: err.code }, 'client closed the connection early');
    } else {
      logger.error({ err }, 'unhandled http error');
    }
  });
  const base = new Router();
  base.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok', ...info };
  });
  base.get('/readyz', (ctx) => {
    ctx.status = lifecycle.ready ? 200 : 503;
    ctx.body = { ready: lifecycle.ready };
  });
  // /metrics is open (anyone may scrape): a flood of scrapes must cost one render per interval.
  const render = sharedRenders(metrics.render, metricsMaxAgeMs);
  base.get('/metrics', async (ctx) => {
    const { contentType, body } = await render(wantsOpenMetrics((...types) => ctx.accepts(...types)));
    ctx.type = contentType;
    ctx.body = body;
  });

  const routers = [base, ...routes];
  app.use(async (ctx, next) => {
    const started = performance.now();
    // Every answer: never sniffed into another type; never cached unless a route says otherwise
    // (most carry personal data; the docs assets opt in to caching).
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Cache-Control', 'no-store');
    try {
      await next();
    } catch (err) {
      const problem = problemFrom(err);
      if (problem.status >= 500) logger.error({ err, method: ctx.method, path: ctx.path }, 'request failed');
      ctx.set(problem.headers);
      ctx.status = problem.status;
      // RFC 9110: a 405 MUST say which methods the resource supports.
      if (problem.status === 405) ctx.set('Allow', allowedMethods(routers, ctx.path));
      ctx.type = 'application/problem+json';
      ctx.body = problem.body();
    } finally {
      // The matched route template, never the raw path: label values must stay few.
      const route = (ctx as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
      observeLatency(
        metrics.httpDuration,
        { method: ctx.method, route, status_code: String(ctx.status) },
        (performance.now() - started) / 1000,
      );
    }
  });
  app.use(async (ctx, next) => {
    await next();
    if (ctx.status === 404 && ctx.body === undefined) {
      throw new HttpProblem(404, 'Not found', `no route for ${ctx.method} ${ctx.path}`);
    }
  });
  // Before the body is parsed: an unauthenticated caller costs no parsing.
  if (auth) app.use(authenticate(auth, authentication));
  app.use(onlyJsonBodies);
  const jsonBody = (limit: string) => bodyParser({ enableTypes: ['json'], jsonLimit: limit, encoding: 'utf-8' });
  const parsers = new Map(Object.entries(bodyLimits).map(([path, limit]) => [path, jsonBody(limit)]));
  const standardParser = jsonBody(bodyLimit);
  app.use((ctx, next) => (parsers.get(ctx.path) ?? standardParser)(ctx, next));
  const service = info.service ?? 'orderly';
  base.get('/problems/:type', problemTypePage);
  // The messages this platform sends and receives in this saga mode (AsyncAPI 3.0), and as a page.
  const mode = sagaModes.find((m) => m === info.sagaMode) ?? 'choreography';
  base.get('/asyncapi.json', (ctx) => {
    ctx.body = asyncApiDocument(mode);
  });
  base.get('/asyncapi.html', (ctx) => {
    ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    ctx.type = 'html';
    ctx.body = asyncApiHtml(asyncApiDocument(mode) as Parameters<typeof asyncApiHtml>[0]);
  });
  const isOpen = openPathTest(authentication.openPaths);
  let document: Record<string, unknown> | undefined;
  const docs = docsRoutes(() => {
    document ??= openApiDocument(service, '0.1.0', [...routers, docs], api ?? { title: `Orderly ${service}` }, isOpen);
    return document;
  });
  app.use(base.routes());
  app.use(docs.routes());
  for (const r of routes) app.use(r.routes()).use(r.allowedMethods({ throw: true }));
  return app;
}

export async function startHttpServer({ port, timeouts = defaultTimeouts, ...options }: HttpServerOptions): Promise<HttpServer> {
  if (timeouts.headersMs > timeouts.requestMs) {
    throw new Error(
      `HTTP_HEADERS_TIMEOUT_MS (${timeouts.headersMs}) must not exceed HTTP_REQUEST_TIMEOUT_MS (${timeouts.requestMs}): the headers are part of the request`,
    );
  }
  const app = createApp(options);
  // A client slower than these is answered 408 and disconnected (Node's defaults keep a slow-body
  // client for 300 s). Node checks them every connectionsCheckingInterval (30 s by default), which
  // would let a client overstay by that much: checked every second, or sooner for shorter limits.
  const server = createServer(
    {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      connectionsCheckingInterval: Math.min(1_000, Math.ceil(timeouts.headersMs / 4)),
    },
    app.callback(),
  );
  server.listen(port);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve).once('error', reject);
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
