import Router from '@koa/router';
import { callerOf, type Database, ownedBy, parseOr400 } from '@orderly/platform';
import { z } from 'zod';
import { findShipment, shipmentsOfOrder } from '../store/shipment-store.js';

/** A customer sees the shipments of their own orders (others' are not found, or an empty list); an operator all. */
export function shipmentRoutes(db: Database): Router {
  const router = new Router();
  router.get('/shipments', async (ctx) => {
    const { orderId } = parseOr400(z.object({ orderId: z.uuid() }), ctx.query);
    const caller = callerOf(ctx);
    ctx.body = await shipmentsOfOrder(db.pool, orderId, caller.kind === 'customer' ? caller.customerId : undefined);
  });
  router.get('/shipments/:id', async (ctx) => {
    const { id } = parseOr400(z.object({ id: z.uuid() }), ctx.params);
    ctx.body = ownedBy(ctx, await findShipment(db.pool, id), (s) => s.customerId, `shipment ${id}`);
  });
  return router;
}
