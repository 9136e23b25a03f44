import type { Database } from '@orderly/platform';
import { type Status, statuses } from '../domain/lifecycle.js';
import { columns, type Order, present } from './order-store.js';

/** What an operator filters the whole shop's orders by (GET /orders). */
export interface OrderFilter {
  status?: Status[];
  customerId?: string;
  /** created_at ≥ since */
  since?: Date;
  /** created_at < until */
  until?: Date;
  /** updated_at ≥ updatedSince: what changed since the last look (the console's live list). */
  updatedSince?: Date;
  reason?: string;
  /** Orders after this one in the list (newest first): its created_at to the microsecond, and its id. */
  after?: { createdAt: string; orderId: string };
  limit: number;
}

/** Where a page of the list ends: its last order's created_at to the microsecond, and its id. */
export type Position = NonNullable<OrderFilter['after']>;

// created_at to the microsecond, in UTC: a JavaScript Date keeps milliseconds, and a cursor that
// lost the rest would skip or repeat orders created within the same millisecond.
const exactCreatedAt = `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "cursorAt"`;

/**
 * Orders matching the filter, newest first (created_at, then id), one page, and where the next
 * page starts when this one is full. Served by the indexes of migration 006: orders_by_created for
 * the whole list and its time ranges, orders_by_status with a status, orders_by_update with
 * updatedSince; orders_by_customer (001) with a customer.
 */
export async function listOrders(db: Database, filter: OrderFilter): Promise<{ orders: Order[]; next?: Position }> {
  const where: string[] = [];
  const values: unknown[] = [];
  const param = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  if (filter.status) where.push(`status = ANY(${param(filter.status)}::text[])`);
  if (filter.customerId !== undefined) where.push(`customer_id = ${param(filter.customerId)}`);
  if (filter.since) where.push(`created_at >= ${param(filter.since)}`);
  if (filter.until) where.push(`created_at < ${param(filter.until)}`);
  if (filter.updatedSince) where.push(`updated_at >= ${param(filter.updatedSince)}`);
  if (filter.reason !== undefined) where.push(`reason = ${param(filter.reason)}`);
  if (filter.after) where.push(`(created_at, id) < (${param(filter.after.createdAt)}::timestamptz, ${param(filter.after.orderId)}::uuid)`);
  const { rows } = await db.pool.query(
    `SELECT ${columns}, ${exactCreatedAt} FROM orders ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, id DESC LIMIT ${param(filter.limit)}`,
    values,
  );
  const orders = rows.map(({ cursorAt: _, ...row }) => present(row));
  const last = rows.at(-1);
  return rows.length === filter.limit && last ? { orders, next: { createdAt: last.cursorAt, orderId: last.orderId } } : { orders };
}

/** How many orders are in each status, every status listed (zero included). */
export async function countByStatus(db: Database): Promise<Record<Status, number>> {
  const { rows } = await db.pool.query<{ status: Status; n: number }>('SELECT status, count(*)::int AS n FROM orders GROUP BY status');
  const counts = Object.fromEntries(statuses.map((s) => [s, 0])) as Record<Status, number>;
  for (const { status, n } of rows) counts[status] = n;
  return counts;
}

/**
 * Orders in one of these statuses whose last change is older than olderThanS seconds, longest
 * unchanged first. With the unfinished statuses, the partial index orders_open_by_update (migration 007) serves it.
 */
export async function unchangedOrders(db: Database, inStatus: readonly Status[], olderThanS: number, limit: number): Promise<Order[]> {
  const { rows } = await db.pool.query(unchangedOrdersSql, [inStatus, olderThanS, limit]);
  return rows.map(present);
}

export const unchangedOrdersSql = `SELECT ${columns} FROM orders WHERE status = ANY($1::text[]) AND updated_at < now() - make_interval(secs => $2)
  ORDER BY updated_at LIMIT $3`;
