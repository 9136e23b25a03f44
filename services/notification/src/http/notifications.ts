import Router from '@koa/router';
import { type Database, parseOr400 } from '@orderly/platform';
import { z } from 'zod';

const query = z
  .object({ orderId: z.uuid().optional(), customerId: z.string().min(1).optional() })
  .refine((q) => q.orderId || q.customerId, { message: 'give orderId or customerId', path: ['orderId'] });

export function notificationRoutes(db: Database): Router {
  const router = new Router();
  router.get('/notifications', async (ctx) => {
    const { orderId, customerId } = parseOr400(query, ctx.query);
    const { rows } = await db.pool.query(
      `SELECT id, order_id AS "orderId", customer_id AS "customerId", kind, subject, body, created_at AS "createdAt"
         FROM notifications WHERE ($1::uuid IS NULL OR order_id = $1) AND ($2::text IS NULL OR customer_id = $2)
        ORDER BY created_at DESC LIMIT 200`,
      [orderId ?? null, customerId ?? null],
    );
    ctx.body = rows;
  });
  return router;
}
