import Router from '@koa/router';
import { type Database, notFound, parseOr400, requireOperator } from '@orderly/platform';
import { z } from 'zod';
import { paymentsOfOrder } from '../store/payment-store.js';

/** An internal read API: customers never call it (they see their order's status), so operators only. */
export function paymentRoutes(db: Database): Router {
  const router = new Router();
  router.use((ctx, next) => {
    requireOperator(ctx);
    return next();
  });
  router.get('/payments', async (ctx) => {
    const { orderId } = parseOr400(z.object({ orderId: z.uuid() }), ctx.query);
    ctx.body = await paymentsOfOrder(db.pool, orderId);
  });
  router.get('/payments/:orderId', async (ctx) => {
    const { orderId } = parseOr400(z.object({ orderId: z.uuid() }), ctx.params);
    const [payment] = await paymentsOfOrder(db.pool, orderId);
    if (!payment) throw notFound(`payment for order ${orderId}`);
    ctx.body = payment;
  });
  return router;
}
