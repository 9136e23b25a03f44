import Router from '@koa/router';
import { type Database, parseOr400 } from '@orderly/platform';
import { z } from 'zod';
import { notificationsOf } from '../store/notification-store.js';

const query = z
  .object({ orderId: z.uuid().optional(), customerId: z.string().min(1).optional() })
  .refine((q) => q.orderId || q.customerId, { message: 'give orderId or customerId', path: ['orderId'] });

export function notificationRoutes(db: Database): Router {
  const router = new Router();
  router.get('/notifications', async (ctx) => {
    ctx.body = await notificationsOf(db.pool, parseOr400(query, ctx.query));
  });
  return router;
}
