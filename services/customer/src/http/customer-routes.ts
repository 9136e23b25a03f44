import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import { actingFor, bodyOf, type Caller, callerOf, type Database, notFound, parseOr400, stateConflict } from '@orderly/platform';
import { z } from 'zod';
import { customerIdSchema, newCustomerSchema, profileSchema } from '../domain/profile.js';
import { historyOf } from '../store/history-store.js';
import { findProfile, insertProfile, putProfile } from '../store/profile-store.js';

const idParam = z.object({ id: customerIdSchema });
const historyQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(100) });
const location = (customerId: string) => `/customers/${encodeURIComponent(customerId)}`;

/** The :id of a route as the caller may see it: a customer's own, or not found. */
function ownId(ctx: { params: unknown; state: { caller?: Caller } }): string {
  const { id } = parseOr400(idParam, ctx.params);
  const caller = callerOf(ctx);
  if (caller.kind === 'customer' && caller.customerId !== id) throw notFound(`customer ${id}`);
  return id;
}

/**
 * A customer reads and writes their own profile and history only (another's is not found; creating
 * one for another id is refused); an operator any.
 */
export function customerRoutes(db: Database): Router {
  const router = new Router();

  router.post('/customers', async (ctx) => {
    const { customerId: named, ...profile } = parseOr400(newCustomerSchema, bodyOf(ctx));
    const customerId = actingFor(ctx, named) ?? randomUUID();
    const created = await insertProfile(db.pool, customerId, profile);
    if (!created) throw stateConflict('Customer exists', `customer ${customerId} exists already; PUT ${location(customerId)} replaces it`);
    ctx.status = 201;
    ctx.set('Location', location(customerId));
    ctx.body = created;
  });

  router.put('/customers/:id', async (ctx) => {
    const id = ownId(ctx);
    const { profile, created } = await putProfile(db.pool, id, parseOr400(profileSchema, bodyOf(ctx)));
    ctx.status = created ? 201 : 200;
    if (created) ctx.set('Location', location(id));
    ctx.body = profile;
  });

  router.get('/customers/:id', async (ctx) => {
    const id = ownId(ctx);
    const profile = await findProfile(db.pool, id);
    if (!profile) throw notFound(`customer ${id}`);
    ctx.body = profile;
  });

  router.get('/customers/:id/orders', async (ctx) => {
    const id = ownId(ctx);
    const { limit } = parseOr400(historyQuery, ctx.query);
    if (!(await findProfile(db.pool, id))) throw notFound(`customer ${id}`);
    ctx.body = await historyOf(db.pool, id, limit);
  });

  return router;
}
