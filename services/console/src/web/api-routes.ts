import Router from '@koa/router';
import { callerOf, HttpProblem, parseOr400 } from '@orderly/platform';
import { decodeJwt } from 'jose';
import { z } from 'zod';
import { accessTokenOf } from '../auth/console-authentication.js';
import type { GraphLink } from './graph-links.js';
import type { LiveOrders } from './live-orders.js';
import { nextCursor, type ServicesClient } from './services-client.js';
import { stuckOrders } from './stuck.js';
import { orderCounts, ordersPage, type sessionView } from './views.js';
import { type DeadLettersOf, xrayOf } from './xray.js';

/** The order service's statuses (its domain/lifecycle.ts), copied: the console does not import the order service; test/order-statuses.test.ts ties them. */
export const statuses = ['PENDING', 'RESERVED', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'REJECTED', 'CANCELLED'] as const;
const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 timestamp with a time zone, e.g. 2025-01-31T12:00:00Z' });
const word = z.string().min(1).max(64);

/** The order list's filters, checked here so that only these reach the order service. */
export const ordersQuery = z.strictObject({
  status: z.enum(statuses).optional(),
  customerId: word.optional(),
  since: instant.optional(),
  until: instant.optional(),
  reason: word.optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
  cursor: z.string().min(1).max(500).optional(),
});
const orderParam = z.object({ id: z.uuid('must be an order id (uuid)') });
export const stuckQuery = z.strictObject({
  olderThanS: z.coerce
    .number()
    .int()
    .min(1)
    .max(30 * 86_400)
    .optional(),
});

export interface ApiRoutesDeps {
  services: ServicesClient;
  live: LiveOrders;
  deadLettersOf: DeadLettersOf;
  traceUrlTemplate?: string | undefined;
  stuckAfterS: number;
  graphs: GraphLink[];
}

const bad = (error: string) => new HttpProblem(502, 'A service did not answer', undefined, {}, { cause: new Error(error) });

/**
 * The console's views that gather from several services: the order list and its counts (the
 * order service's, passed through), one order X-rayed, the stuck orders, and the live stream.
 * Every service is called with the operator's own token. (Dead letters are dead-letter-routes.)
 */
export function apiRoutes({ services, live, deadLettersOf, traceUrlTemplate, stuckAfterS, graphs }: ApiRoutesDeps): Router {
  const router = new Router({ prefix: '/api' });

  router.get('/session', (ctx) => {
    const caller = callerOf(ctx);
    const exp = decodeJwt(accessTokenOf(ctx)).exp;
    ctx.body = {
      operator: caller.subject,
      ...(caller.email ? { email: caller.email } : {}),
      ...(exp ? { expiresAt: new Date(exp * 1000).toISOString() } : {}),
      stuckAfterS,
      graphs,
    } satisfies z.output<typeof sessionView>;
  });

  router.get('/orders', async (ctx) => {
    const q = parseOr400(ordersQuery, ctx.query);
    const search = new URLSearchParams(Object.entries(q).map(([k, v]): [string, string] => [k, String(v)]));
    const answer = await services.get('order', `/orders?${search}`, accessTokenOf(ctx), ordersPage.shape.items);
    if (!answer.ok)
      throw answer.status >= 400 && answer.status < 500 ? new HttpProblem(answer.status, 'Refused', answer.error) : bad(answer.error);
    // The next page's cursor, from the order service's Link header.
    const next = nextCursor(answer.headers);
    ctx.body = { items: answer.body, ...(next ? { next } : {}) } satisfies z.output<typeof ordersPage>;
  });

  router.get('/orders/stats', async (ctx) => {
    const answer = await services.get('order', '/orders/stats', accessTokenOf(ctx), orderCounts);
    if (!answer.ok) throw bad(answer.error);
    ctx.body = answer.body;
  });

  router.get('/orders/:id/xray', async (ctx) => {
    const { id } = parseOr400(orderParam, ctx.params);
    ctx.body = await xrayOf({ services, deadLettersOf, traceUrlTemplate }, id, accessTokenOf(ctx));
  });

  router.get('/stuck', async (ctx) => {
    const { olderThanS = stuckAfterS } = parseOr400(stuckQuery, ctx.query);
    ctx.body = await stuckOrders({ services, deadLettersOf }, olderThanS, accessTokenOf(ctx));
  });

  router.get('/live', (ctx) => {
    const token = accessTokenOf(ctx);
    const stillSignedIn = (ctx.state as { stillSignedIn?: () => boolean }).stillSignedIn;
    live.subscribe(ctx, token, (decodeJwt(token).exp ?? 0) * 1000, stillSignedIn);
  });

  return router;
}
