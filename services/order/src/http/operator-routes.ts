import type Router from '@koa/router';
import { HttpProblem, notFound, parseOr400, requireOperator } from '@orderly/platform';
import { z } from 'zod';
import { orderSaga } from '../saga/definition.js';
import { countByStatus } from '../store/order-search-store.js';
import { findSaga } from '../store/saga-store.js';
import { findStuckOrders } from '../use-cases/find-stuck-orders.js';
import type { OrderDeps } from '../use-cases/order-deps.js';

const idParam = z.object({ id: z.uuid('must be an order id (uuid)') });

/**
 * What the operations console reads (operators only): counts per status, the orders that stopped
 * moving, and an order's saga row. Registered before GET /orders/:id, which would take "stats"
 * and "stuck" for ids.
 */
export function operatorRoutes(router: Router, deps: OrderDeps): void {
  const stuckQuery = z.strictObject({
    olderThanS: z.coerce.number().int().min(0).max(31_536_000).default(deps.stuckAfterS),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  });

  router.get('/orders/stats', async (ctx) => {
    requireOperator(ctx);
    ctx.body = { counts: await countByStatus(deps.db) };
  });

  router.get('/orders/stuck', async (ctx) => {
    requireOperator(ctx);
    const { olderThanS, limit } = parseOr400(stuckQuery, ctx.query);
    ctx.body = await findStuckOrders(deps, olderThanS, limit);
  });

  router.get('/orders/:id/saga', async (ctx) => {
    requireOperator(ctx);
    const { id } = parseOr400(idParam, ctx.params);
    if (deps.sagaMode !== 'orchestration') {
      throw new HttpProblem(404, 'Not found', `order ${id} has no saga row: the service runs in ${deps.sagaMode}, which keeps none`);
    }
    const saga = await findSaga(deps.db, id);
    if (!saga) throw notFound(`a saga for order ${id}`);
    const step = orderSaga[saga.step];
    ctx.body = {
      ...saga,
      stepName: step?.name ?? null,
      // The replies the saga waits for at its step, while it runs.
      awaiting: saga.state === 'running' && step ? [...step.succeeded, ...step.failed] : [],
    };
  });
}
