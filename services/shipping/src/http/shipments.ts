import Router from '@koa/router';
import { type Database, notFound, parseOr400 } from '@orderly/platform';
import { z } from 'zod';

// A tombstone (a cancel that came before any shipment) has no carrier: it is not a shipment to show.
const select = `SELECT s.shipment_id AS "shipmentId", s.order_id AS "orderId", s.customer_id AS "customerId", s.carrier,
                       s.tracking_number AS "trackingNumber", s.status, s.created_at AS "createdAt", s.updated_at AS "updatedAt",
                       COALESCE((SELECT json_agg(json_build_object('status', h.status, 'at', h.at) ORDER BY h.id)
                                   FROM shipment_history h WHERE h.shipment_id = s.shipment_id), '[]') AS history
                  FROM shipments s WHERE s.carrier IS NOT NULL`;

export function shipmentRoutes(db: Database): Router {
  const router = new Router();
  router.get('/shipments', async (ctx) => {
    const { orderId } = parseOr400(z.object({ orderId: z.uuid() }), ctx.query);
    ctx.body = (await db.pool.query(`${select} AND s.order_id = $1`, [orderId])).rows;
  });
  router.get('/shipments/:id', async (ctx) => {
    const { id } = parseOr400(z.object({ id: z.uuid() }), ctx.params);
    const { rows } = await db.pool.query(`${select} AND s.shipment_id = $1`, [id]);
    if (!rows[0]) throw notFound(`shipment ${id}`);
    ctx.body = rows[0];
  });
  return router;
}
