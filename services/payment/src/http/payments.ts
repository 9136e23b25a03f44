import Router from '@koa/router';
import { type Database, notFound, parseOr400 } from '@orderly/platform';
import { z } from 'zod';

const select = `SELECT order_id AS "orderId", payment_id AS "paymentId", status, amount_cents AS "amountCents", currency,
                       method, created_at AS "createdAt", updated_at AS "updatedAt" FROM payments`;

export function paymentRoutes(db: Database): Router {
  const router = new Router();
  router.get('/payments', async (ctx) => {
    const { orderId } = parseOr400(z.object({ orderId: z.uuid() }), ctx.query);
    ctx.body = (await db.pool.query(`${select} WHERE order_id = $1`, [orderId])).rows;
  });
  router.get('/payments/:orderId', async (ctx) => {
    const { orderId } = parseOr400(z.object({ orderId: z.uuid() }), ctx.params);
    const { rows } = await db.pool.query(`${select} WHERE order_id = $1`, [orderId]);
    if (!rows[0]) throw notFound(`payment for order ${orderId}`);
    ctx.body = rows[0];
  });
  return router;
}
