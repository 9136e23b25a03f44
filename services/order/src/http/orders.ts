import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import { bodyOf, type Database, HttpProblem, notFound, parseOr400 } from '@orderly/platform';
import { z } from 'zod';
import { idempotencyKeySchema, placeOrderSchema, requestHash } from '../domain/place-order.js';
import type { OrderMetrics } from '../metrics.js';
import { findOrder, insertOrder, ordersOf } from '../orders.js';

const idParam = z.object({ id: z.uuid('must be an order id (uuid)') });
const listQuery = z.object({ customerId: z.string().min(1), limit: z.coerce.number().int().min(1).max(500).default(100) });

export function orderRoutes(db: Database, metrics: OrderMetrics): Router {
  const router = new Router();

  router.post('/orders', async (ctx) => {
    const request = parseOr400(placeOrderSchema, bodyOf(ctx));
    const rawKey = ctx.get('Idempotency-Key');
    const key = rawKey === '' ? undefined : parseOr400(idempotencyKeySchema, rawKey);
    const hash = requestHash(request);
    const placed = await db.transaction(async (tx) => {
      const orderId = randomUUID();
      if (key) {
        // A concurrent request with the same key blocks on the insert until the first commits.
        const claimed = await tx.query(
          'INSERT INTO idempotency_keys (key, request_hash, order_id) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING',
          [key, hash, orderId],
        );
        if (claimed.rowCount === 0) {
          const { rows } = await tx.query<{ order_id: string; request_hash: string }>(
            'SELECT order_id, request_hash FROM idempotency_keys WHERE key = $1',
            [key],
          );
          const stored = rows[0]!;
          if (stored.request_hash !== hash) {
            throw new HttpProblem(409, 'Idempotency key reused', 'this Idempotency-Key was used with a different request body');
          }
          return { orderId: stored.order_id, replayed: true };
        }
      }
      await insertOrder(tx, { orderId, ...request });
      tx.emit('order.placed', orderId, { orderId, ...request });
      return { orderId, replayed: false };
    });
    if (!placed.replayed) metrics.transitions.inc({ status: 'PENDING' });
    const order = placed.replayed ? await findOrder(db, placed.orderId) : undefined;
    ctx.status = 202;
    ctx.set('Location', `/orders/${placed.orderId}`);
    ctx.body = { orderId: placed.orderId, status: order?.status ?? 'PENDING' };
  });

  router.get('/orders/:id', async (ctx) => {
    const { id } = parseOr400(idParam, ctx.params);
    const order = await findOrder(db, id);
    if (!order) throw notFound(`order ${id}`);
    ctx.body = order;
  });

  router.get('/orders', async (ctx) => {
    const { customerId, limit } = parseOr400(listQuery, ctx.query);
    ctx.body = await ordersOf(db, customerId, limit);
  });

  return router;
}
