import Router from '@koa/router';
import { bodyOf, type Database, notFound, parseOr400, requireOperator } from '@orderly/platform';
import { z } from 'zod';
import { findProduct, listProducts, setAvailable } from '../store/product-store.js';

const skuParam = z.object({ sku: z.string().min(1).max(64) });
export const restockBody = z.strictObject({ available: z.number().int().min(0).max(1_000_000) });

/** The catalogue is for any signed-in caller; only operators set stock. */
export function productRoutes(db: Database): Router {
  const router = new Router();
  router.get('/products', async (ctx) => {
    ctx.body = await listProducts(db.pool);
  });
  router.get('/products/:sku', async (ctx) => {
    const { sku } = parseOr400(skuParam, ctx.params);
    const product = await findProduct(db.pool, sku);
    if (!product) throw notFound(`product ${sku}`);
    ctx.body = product;
  });
  router.put('/products/:sku/stock', async (ctx) => {
    requireOperator(ctx);
    const { sku } = parseOr400(skuParam, ctx.params);
    const { available } = parseOr400(restockBody, bodyOf(ctx));
    if (!(await setAvailable(db.pool, sku, available))) throw notFound(`product ${sku}`);
    ctx.body = await findProduct(db.pool, sku);
  });
  return router;
}
