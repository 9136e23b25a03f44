import Router from '@koa/router';
import { actingFor, bodyOf, callerOf, forbidden, HttpProblem, notFound, ownedBy, parseOr400, stateConflict } from '@orderly/platform';
import { z } from 'zod';
import { idempotencyKeySchema, placeOrderBody, placeOrderSchema } from '../domain/order-request.js';
import { listOrders } from '../store/order-search-store.js';
import { findOrder, ordersOf } from '../store/order-store.js';
import { cancelOrder } from '../use-cases/cancel-order.js';
import type { OrderDeps } from '../use-cases/order-deps.js';
import { placeOrder } from '../use-cases/place-order.js';
import { operatorRoutes } from './operator-routes.js';
import { encodeCursor, operatorListQuery } from './order-list-query.js';

const idParam = z.object({ id: z.uuid('must be an order id (uuid)') });
const listQuery = z.object({ customerId: z.string().min(1).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) });

/**
 * Who may do what (docs/security.md): a customer places orders for themselves (customerId and
 * email from the token), reads, lists and cancels their own; an operator does all of it for anyone,
 * lists the whole shop's orders and reads what the console shows (operator-routes.ts).
 */
export function orderRoutes(deps: OrderDeps): Router {
  const router = new Router();
  operatorRoutes(router, deps);

  router.post('/orders', async (ctx) => {
    const body = parseOr400(placeOrderBody, bodyOf(ctx));
    const caller = callerOf(ctx);
    if (caller.kind === 'customer') {
      actingFor(ctx, body.customerId);
      if (!caller.email) throw forbidden('the token carries no email claim: ask for the email scope');
      if (body.email !== undefined && body.email !== caller.email) throw forbidden("the email is the token's, not the request's");
    }
    const own = caller.kind === 'customer' ? { customerId: caller.customerId, email: caller.email } : {};
    const request = parseOr400(placeOrderSchema, { ...body, ...own });
    const rawKey = ctx.get('Idempotency-Key');
    const key = rawKey === '' ? undefined : parseOr400(idempotencyKeySchema, rawKey);
    const placed = await placeOrder(deps, request, key);
    if (placed.outcome === 'key_reused') {
      throw new HttpProblem(
        409,
        'Idempotency key reused',
        'this Idempotency-Key was used with a different request body',
        {},
        {
          type: 'idempotency-key-reused',
        },
      );
    }
    ctx.status = 202;
    ctx.set('Location', `/orders/${placed.orderId}`);
    ctx.body = { orderId: placed.orderId, status: placed.status };
  });

  router.get('/orders/:id', async (ctx) => {
    const { id } = parseOr400(idParam, ctx.params);
    ctx.body = ownedBy(ctx, await findOrder(deps.db, id), (o) => o.customerId, `order ${id}`);
  });

  router.post('/orders/:id/cancel', async (ctx) => {
    const { id } = parseOr400(idParam, ctx.params);
    const caller = callerOf(ctx);
    const cancelled = await cancelOrder(deps, id, caller.kind === 'customer' ? { customerId: caller.customerId } : {});
    switch (cancelled.outcome) {
      case 'not_found':
        throw notFound(`order ${id}`);
      case 'too_late':
        throw stateConflict(
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
    if (callerOf(ctx).kind === 'operator') {
      // Any customer's orders, or all of them, filtered, a page at a time (the next one in the Link header).
      const { orders, next } = await listOrders(deps.db, parseOr400(operatorListQuery, ctx.query));
      if (next) {
        const query = new URLSearchParams(ctx.querystring);
        query.set('cursor', encodeCursor(next));
        ctx.set('Link', `</orders?${query}>; rel="next"`);
      }
      ctx.body = orders;
      return;
    }
    const query = parseOr400(listQuery, ctx.query);
    ctx.body = await ordersOf(deps.db, actingFor(ctx, query.customerId)!, query.limit);
  });

  return router;
}
