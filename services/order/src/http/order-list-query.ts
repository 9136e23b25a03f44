import { cancellationReasons, rejectionReasons } from '@orderly/events';
import { z } from 'zod';
import { statuses } from '../domain/lifecycle.js';
import type { OrderFilter, Position } from '../store/order-search-store.js';

/** A page of all orders is at most this long; one customer's list keeps its older bound (500). */
export const maxPage = 200;
const maxCustomerPage = 500;

/** ISO 8601 with an offset, in the years 1 to 9999 (PostgreSQL refuses a year 0 with an error). */
const isoTime = z.iso
  .datetime({ offset: true, message: 'must be an ISO 8601 time with an offset, e.g. 2025-01-31T12:00:00Z' })
  .refine((s) => {
    const year = new Date(s).getUTCFullYear();
    return year >= 1 && year <= 9999;
  }, 'must be between the years 1 and 9999');
const instant = isoTime.transform((s) => new Date(s));

/** One status, several comma-separated, or the parameter repeated. */
const statusList = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(',') : Array.isArray(v) ? v.flatMap((s) => (typeof s === 'string' ? s.split(',') : [s])) : v),
  z.array(z.enum(statuses, { message: `each must be one of ${statuses.join(', ')}` })).min(1),
);

const position = z.tuple([isoTime, z.uuid()]);

/** The opaque cursor of the next page: where the last page ended. */
export const encodeCursor = ({ createdAt, orderId }: Position) => Buffer.from(JSON.stringify([createdAt, orderId])).toString('base64url');

const cursor = z.string().transform((s, ctx) => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const result = position.safeParse(parsed);
  if (!result.success) {
    ctx.addIssue({ code: 'custom', message: 'not a cursor this list gave out' });
    return z.NEVER;
  }
  return { createdAt: result.data[0], orderId: result.data[1] };
});

/** GET /orders for an operator: every filter optional; unknown parameters are refused (a typo must not widen the list). */
export const operatorListQuery = z
  .strictObject({
    status: statusList.optional(),
    customerId: z.string().min(1).max(200).optional(),
    since: instant.optional(),
    until: instant.optional(),
    updatedSince: instant.optional(),
    reason: z.enum([...rejectionReasons, ...cancellationReasons]).optional(),
    limit: z.coerce.number().int().min(1).max(maxCustomerPage).default(100),
    cursor: cursor.optional(),
  })
  .refine((q) => q.customerId !== undefined || q.limit <= maxPage, {
    path: ['limit'],
    message: `at most ${maxPage} without a customerId`,
  })
  .transform(({ cursor: after, ...q }): OrderFilter => ({ ...q, ...(after ? { after } : {}) }));
