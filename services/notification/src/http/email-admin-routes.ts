import Router from '@koa/router';
import { type Database, type Logger, notFound, parseOr400, requireOperator } from '@orderly/platform';
import { z } from 'zod';
import { parkedEmails, retryParked } from '../store/email-outbox.js';

export const parkedQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) });
const emailId = z.object({ id: z.uuid() });

/**
 * Operators only, as the platform's other admin routes: the parked emails (with the address and the
 * server's reason, which an operator needs to decide), and a retry of one, which sends it now with
 * its attempts renewed.
 */
export function emailAdminRoutes(db: Database, wake: () => void, logger: Logger): Router {
  const router = new Router();
  router.get('/admin/emails/parked', async (ctx) => {
    requireOperator(ctx);
    const { limit } = parseOr400(parkedQuery, ctx.query);
    ctx.body = { parked: await parkedEmails(db.pool, limit) };
  });
  router.post('/admin/emails/:id/retry', async (ctx) => {
    const operator = requireOperator(ctx);
    const { id } = parseOr400(emailId, ctx.params);
    if (!(await retryParked(db.pool, id))) throw notFound(`a parked email ${id}`);
    logger.info({ operator: operator.subject, notificationId: id }, 'parked email retried by an operator');
    wake();
    ctx.status = 202;
    ctx.body = { id, status: 'pending' };
  });
  return router;
}
