import Router from '@koa/router';
import { actingFor, type Database, parseOr400 } from '@orderly/platform';
import { z } from 'zod';
import { notificationsOf } from '../store/notification-store.js';

const query = z
  .object({ orderId: z.uuid().optional(), customerId: z.string().min(1).optional() })
  .refine((q) => q.orderId || q.customerId, { message: 'give orderId or customerId', path: ['orderId'] });

/** A customer reads their own notifications only (customerId is theirs, named or not); an operator anyone's. */
export function notificationRoutes(db: Database): Router {
  const router = new Router();
  router.get('/notifications', async (ctx) => {
    const named = typeof ctx.query.customerId === 'string' ? ctx.query.customerId : undefined;
    const customerId = actingFor(ctx, named);
    ctx.body = await notificationsOf(db.pool, parseOr400(query, { ...ctx.query, ...(customerId === undefined ? {} : { customerId }) }));
  });
  return router;
}
