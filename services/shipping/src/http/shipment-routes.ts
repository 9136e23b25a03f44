import Router from '@koa/router';
import { type Database, notFound, parseOr400 } from '@orderly/platform';
import { z } from 'zod';
import { findShipment, shipmentsOfOrder } from '../store/shipment-store.js';

export function shipmentRoutes(db: Database): Router {
  const router = new Router();
  router.get('/shipments', async (ctx) => {
    const { orderId } = parseOr400(z.object({ orderId: z.uuid() }), ctx.query);
    ctx.body = await shipmentsOfOrder(db.pool, orderId);
  });
  router.get('/shipments/:id', async (ctx) => {
    const { id } = parseOr400(z.object({ id: z.uuid() }), ctx.params);
    const shipment = await findShipment(db.pool, id);
    if (!shipment) throw notFound(`shipment ${id}`);
    ctx.body = shipment;
  });
  return router;
}
