import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import { bodyOf, type Database, HttpProblem, notFound, parseOr400 } from '@orderly/platform';
import { z } from 'zod';
import { idempotencyKeySchema, placeOrderSchema, requestHash } from '../domain/place-order.js';
import { canCancel } from '../domain/status.js';
import { advance } from '../handlers/outcomes.js';
import type { OrderMetrics } from '../metrics.js';
import { findOrder, insertOrder, lockOrder, ordersOf } from '../orders.js';
import type { SagaCoordinator } from '../saga/orchestrator.js';

const idParam = z.object({ id: z.uuid('must be an order id (uuid)') });
const listQuery = z.object({ customerId: z.string().min(1), limit: z.coerce.number().int().min(1).max(500).default(100) });

export function orderRoutes(db: Database, metrics: OrderMetrics, saga: SagaCoordinator): Router {
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
      await saga.placed(tx, {
        orderId,
        customerId: request.customerId,
        items: request.items,
        ...(request.paymentMethod ? { paymentMethod: request.paymentMethod } : {}),
      });
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

  // Cancelling twice is harmless; once the parcel has left (or the order failed) it is a 409.
  router.post('/orders/:id/cancel', async (ctx) => {
    const { id } = parseOr400(idParam, ctx.params);
    await db.transaction(async (tx) => {
      const order = await lockOrder(tx, id);
      if (!order) throw notFound(`order ${id}`);
      if (order.status === 'CANCELLED') return;
      if (!canCancel(order.status)) {
        throw new HttpProblem(
          409,
          'Order cannot be cancelled',
          `order ${id} is ${order.status}; only orders not yet shipped can be cancelled`,
          {
            status_of_order: order.status,
          },
        );
      }
      await advance(tx, id, { status: 'CANCELLED', reason: 'customer_request' }, {}, metrics);
      await saga.cancelled(tx, id);
    });
    ctx.body = await findOrder(db, id);
  });

  router.get('/orders', async (ctx) => {
    const { customerId, limit } = parseOr400(listQuery, ctx.query);
    ctx.body = await ordersOf(db, customerId, limit);
  });

  return router;
}
