import Router from '@koa/router';
import { bodyOf, type Database, notFound, parseOr400 } from '@orderly/platform';
import { z } from 'zod';

const product = `SELECT sku, name, price_cents AS "priceCents", currency, available, reserved, sold FROM products`;
const skuParam = z.object({ sku: z.string().min(1).max(64) });
export const restockBody = z.strictObject({ available: z.number().int().min(0).max(1_000_000) });

export function productRoutes(db: Database): Router {
  const router = new Router();
  router.get('/products', async (ctx) => {
    ctx.body = (await db.pool.query(`${product} ORDER BY sku`)).rows;
  });
  router.get('/products/:sku', async (ctx) => {
    const { sku } = parseOr400(skuParam, ctx.params);
    const { rows } = await db.pool.query(`${product} WHERE sku = $1`, [sku]);
    if (!rows[0]) throw notFound(`product ${sku}`);
    ctx.body = rows[0];
  });
  // Restock: sets what is available for sale; reserved and sold stock is untouched.
  router.put('/products/:sku/stock', async (ctx) => {
    const { sku } = parseOr400(skuParam, ctx.params);
    const { available } = parseOr400(restockBody, bodyOf(ctx));
    const { rows } = await db.pool.query(`UPDATE products SET available = $2 WHERE sku = $1 RETURNING sku`, [sku, available]);
    if (!rows[0]) throw notFound(`product ${sku}`);
    ctx.body = (await db.pool.query(`${product} WHERE sku = $1`, [sku])).rows[0];
  });
  return router;
}
