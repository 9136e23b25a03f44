import Router from '@koa/router';
import type { SagaMode, ServiceName } from '@orderly/events';
import {
  bodyOf,
  type Database,
  type Logger,
  notFound,
  parseOr400,
  requireOperator,
  unauthorized,
  validationProblem,
} from '@orderly/platform';
import type { Context } from 'koa';
import { decodeCursor, encodeCursor } from '../domain/cursor.js';
import { bodyText } from '../domain/redrive.js';
import type { ConsoleMetrics } from '../metrics.js';
import { deadLetterById, searchDeadLetters } from '../store/dead-letters-store.js';
import { discardDeadLetters } from '../use-cases/discard-dead-letters.js';
import type { Redrives } from '../use-cases/redrive-dead-letters.js';
import { discardBody, idParam, redriveBody, searchQuery } from './dead-letter-schemas.js';
import { forwardDryRun } from './dry-run-forward.js';

export interface DeadLetterRoutesOptions {
  db: Database;
  redrives: Redrives;
  metrics: ConsoleMetrics;
  logger: Logger;
  mode: SagaMode;
  /** Where each service's API answers (SERVICE_URL_TEMPLATE). */
  baseUrlOf: (service: ServiceName) => string;
}

/** The operator's own access token, to call the services with: the session's, or the bearer token sent. */
function accessToken(ctx: Context): string {
  const fromSession = (ctx.state as { accessToken?: unknown }).accessToken;
  if (typeof fromSession === 'string') return fromSession;
  const bearer = /^Bearer +(\S+)$/i.exec(ctx.get('Authorization'))?.[1];
  if (!bearer) throw unauthorized('a bearer token is required', false);
  return bearer;
}

/** `{ ids }` or `{ filter }` as the use cases take it. */
const chosenOf = (b: { ids?: string[] | undefined; filter?: object | undefined }) => (b.ids ? { ids: b.ids } : { filter: b.filter ?? {} });

/**
 * /api/dead-letters: every parked message, searched without consuming it, shown in full, dry-run
 * at its owning service, redriven or discarded — operators only (each route checks: a customer's
 * token is a 403, none a 401). Parked messages carry customers' data.
 */
export function deadLetterRoutes({ db, redrives, metrics, logger, mode, baseUrlOf }: DeadLetterRoutesOptions): Router {
  const router = new Router();

  router.get('/api/dead-letters', async (ctx) => {
    requireOperator(ctx);
    const { limit, cursor, ...filter } = parseOr400(searchQuery, ctx.query);
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    if (cursor !== undefined && !after) throw validationProblem([{ name: 'cursor', reason: 'not a cursor of this list' }]);
    const page = await searchDeadLetters(db.pool, filter, limit, after);
    ctx.body = { items: page.items, ...(page.next ? { next: encodeCursor(page.next) } : {}) };
  });

  router.get('/api/dead-letters/:id', async (ctx) => {
    requireOperator(ctx);
    const { id } = parseOr400(idParam, ctx.params);
    const row = await deadLetterById(db.pool, id);
    if (!row) throw notFound(`dead letter ${id}`);
    const { body, encoding } = bodyText(row.body);
    ctx.body = { ...row, body, bodyEncoding: encoding, bodyTruncated: row.body.length < row.bodyBytes };
  });

  router.post('/api/dead-letters/:id/dry-run', async (ctx) => {
    requireOperator(ctx);
    const { id } = parseOr400(idParam, ctx.params);
    const row = await deadLetterById(db.pool, id);
    if (!row) throw notFound(`dead letter ${id}`);
    const answer = await forwardDryRun(row, { baseUrlOf, mode, token: accessToken(ctx) });
    ctx.status = answer.status;
    ctx.body = answer.body;
  });

  router.post('/api/dead-letters/redrive', async (ctx) => {
    const operator = requireOperator(ctx);
    const request = parseOr400(redriveBody, bodyOf(ctx));
    const outcome = await redrives.redrive(chosenOf(request), operator.subject, request.reason);
    // Some copies were recorded and audited but not confirmed by the broker: accepted, not done —
    // the console's resumer sends them (a 5xx would hide how far it got).
    if (outcome.pending > 0) ctx.status = 202;
    ctx.body = outcome.pending > 0 ? outcome : { redriven: outcome.redriven };
  });

  router.post('/api/dead-letters/discard', async (ctx) => {
    const operator = requireOperator(ctx);
    const request = parseOr400(discardBody, bodyOf(ctx));
    ctx.body = { discarded: await discardDeadLetters(db, metrics, logger, chosenOf(request), operator.subject, request.reason) };
  });

  return router;
}
