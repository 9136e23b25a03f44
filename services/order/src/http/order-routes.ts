import Router from '@koa/router';
import { bodyOf, HttpProblem, notFound, parseOr400 } from '@orderly/platform';
import { z } from 'zod';
import { idempotencyKeySchema, placeOrderSchema } from '../domain/order-request.js';
import { findOrder, ordersOf } from '../store/order-store.js';
import { cancelOrder } from '../use-cases/cancel-order.js';
import type { OrderDeps } from '../use-cases/order-deps.js';
import { placeOrder } from '../use-cases/place-order.js';

const idParam = z.object({ id: z.uuid('must be an order id (uuid)') });
const listQuery = z.object({ customerId: z.string().min(1), limit: z.coerce.number().int().min(1).max(500).default(100) });

export function orderRoutes(deps: OrderDeps): Router {
  const router = new Router();

  router.post('/orders', async (ctx) => {
    const request = parseOr400(placeOrderSchema, bodyOf(ctx));
    const rawKey = ctx.get('Idempotency-Key');
    const key = rawKey === '' ? undefined : parseOr400(idempotencyKeySchema, rawKey);
    const placed = await placeOrder(deps, request, key);
    if (placed.outcome === 'key_reused') {
      throw new HttpProblem(409, 'Idempotency key reused', 'this Idempotency-Key was used with a different request body');
    }
    ctx.status = 202;
    ctx.set('Location', `/orders/${placed.orderId}`);
    ctx.body = { orderId: placed.orderId, status: placed.status };
  });

  router.get('/orders/:id', async (ctx) => {
    const { id } = parseOr400(idParam, ctx.params);
    const order = await findOrder(deps.db, id);
    if (!order) throw notFound(`order ${id}`);
    ctx.body = order;
  });

  router.post('/orders/:id/cancel', async (ctx) => {
    const { id } = parseOr400(idParam, ctx.params);
    const cancelled = await cancelOrder(deps, id);
    switch (cancelled.outcome) {
      case 'not_found':
        throw notFound(`order ${id}`);
      case 'too_late':
        throw new HttpProblem(
          409,
          'Order cannot be cancelled',
          `order ${id} is ${cancelled.status}; only orders not yet shipped can be cancelled`,
          {
            status_of_order: cancelled.status,
          },
        );
      case 'cancelled':
        ctx.body = cancelled.order;
    }
  });

  router.get('/orders', async (ctx) => {
    const { customerId, limit } = parseOr400(listQuery, ctx.query);
    ctx.body = await ordersOf(deps.db, customerId, limit);
  });

  return router;
}
