import Router from '@koa/router';
import { z } from 'zod';
import { requireOperator } from '../http/auth.js';
import { HttpProblem } from '../http/problem.js';
import { bodyOf, parseOr400 } from '../http/validate.js';
import { publishedByHeader } from '../inbound/consumer.js';
import type { Logger } from '../logger.js';
import { parkedRows, unparkRows } from '../outbound/parked-rows.js';
import { type DryRunTarget, dryRunMessage } from './dry-run.js';
import { pendingFor } from './outbox-pending.js';

/** The largest POST /admin/dry-run body: a message is a few KiB at most (the catalog bounds its lines and texts). */
export const dryRunBodyLimit = '256kb';

export const dryRunBody = z.strictObject({
  /** The queue whose consumer takes the message (a dead letter's queue, without .dlq). */
  queue: z.string().min(1).max(255),
  /** The message as it was published: its text, or base64 when `encoding` says so (bytes that are not clean text). */
  body: z.string().max(256 * 1024),
  encoding: z.enum(['utf8', 'base64']).default('utf8'),
  /** The message's headers; only x-orderly-published-by (the publisher a dead letter recorded) is read. */
  headers: z.record(z.string().max(1_000), z.unknown()).optional(),
});

const outboxQuery = z.object({ subject: z.string().min(1).max(200) });
export const parkedQuery = z.object({ subject: z.string().min(1).max(200).optional() });
/** Which parked rows to hand back to the relay: these ids, or every parked row when none are named. */
export const republishBody = z.strictObject({ ids: z.array(z.number().int().positive()).min(1).max(500).optional() });

/**
 * The request, checked: the message text is left to the dry run to judge, as the consumer would (a
 * control character in it is a would-fail, not a bad request); the rest must be clean text.
 */
function dryRunRequest(input: unknown): z.infer<typeof dryRunBody> {
  const fields = typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : undefined;
  if (typeof fields?.body !== 'string') return parseOr400(dryRunBody, input);
  return { ...parseOr400(dryRunBody, { ...fields, body: '' }), body: fields.body };
}

/** Dry runs in flight at once per service: each holds a database connection the consumers share. */
const maxConcurrentDryRuns = 2;

/**
 * Operator-only routes every service serves (docs/console.md): a message's dry run against this
 * service's consumer, the outbox rows still waiting to be published for a subject, and the rows
 * the broker would not take (parked), which an operator may hand back to the relay.
 */
export function adminRoutes(target: DryRunTarget, logger: Logger): Router {
  const router = new Router();
  let inFlight = 0;

  router.post('/admin/dry-run', async (ctx) => {
    const operator = requireOperator(ctx);
    const request = dryRunRequest(bodyOf(ctx));
    if (inFlight >= maxConcurrentDryRuns) {
      throw new HttpProblem(429, 'Too many dry runs', `at most ${maxConcurrentDryRuns} at once`, {}, { headers: { 'Retry-After': '1' } });
    }
    inFlight += 1;
    try {
      const publishedBy = request.headers?.[publishedByHeader];
      const answer = await dryRunMessage(
        target,
        request.queue,
        Buffer.from(request.body, request.encoding),
        typeof publishedBy === 'string' && publishedBy !== '' ? publishedBy : undefined,
      );
      logger.info({ operator: operator.subject, queue: request.queue, outcome: answer.outcome }, 'dry run');
      ctx.body = answer;
    } finally {
      inFlight -= 1;
    }
  });

  router.get('/admin/outbox', async (ctx) => {
    requireOperator(ctx);
    const { subject } = parseOr400(outboxQuery, ctx.query);
    ctx.body = { pending: await pendingFor(target.db.pool, subject) };
  });

  // Rows the broker would not take (decision 0022): what they are and why, and a way to send them again.
  router.get('/admin/outbox/parked', async (ctx) => {
    requireOperator(ctx);
    const { subject } = parseOr400(parkedQuery, ctx.query);
    ctx.body = { parked: await parkedRows(target.db.pool, subject) };
  });

  router.post('/admin/outbox/parked/republish', async (ctx) => {
    const operator = requireOperator(ctx);
    const { ids } = parseOr400(republishBody, bodyOf(ctx) ?? {});
    const republished = await unparkRows(target.db.pool, ids);
    logger.info({ operator: operator.subject, ids: ids ?? 'all', republished }, 'parked outbox rows handed back to the relay');
    ctx.body = { republished };
  });

  return router;
}
