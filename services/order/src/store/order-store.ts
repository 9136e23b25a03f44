import type { Database, Tx } from '@orderly/platform';
import type { CancellationReason, RejectionReason, Status } from '../domain/lifecycle.js';

export interface Order {
  orderId: string;
  customerId: string;
  email: string;
  status: Status;
  reason?: RejectionReason | CancellationReason;
  items: { sku: string; qty: number }[];
  totalCents?: number;
  currency: string;
  paymentMethod?: string;
  createdAt: string;
  updatedAt: string;
}

export const columns = `id AS "orderId", customer_id AS "customerId", email, status, reason, items, total_cents AS "totalCents",
                 currency, payment_method AS "paymentMethod", created_at AS "createdAt", updated_at AS "updatedAt"`;

/** Drops nulls so optional fields are absent from the API rather than null. */
export function present(row: Record<string, unknown>): Order {
  return Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null)) as unknown as Order;
}

/** Nothing reads it back before the commit, so it goes with the COMMIT: POST /orders is one round trip. */
export function insertOrder(tx: Tx, order: Pick<Order, 'orderId' | 'customerId' | 'email' | 'items' | 'paymentMethod'>): void {
  tx.queueForCommit(`INSERT INTO orders (id, customer_id, email, status, items, payment_method) VALUES ($1, $2, $3, 'PENDING', $4, $5)`, [
    order.orderId,
    order.customerId,
    order.email,
    JSON.stringify(order.items),
    order.paymentMethod ?? null,
  ]);
}

export async function findOrder(db: Database, orderId: string): Promise<Order | undefined> {
  const { rows } = await db.pool.query(`SELECT ${columns} FROM orders WHERE id = $1`, [orderId]);
  return rows[0] ? present(rows[0]) : undefined;
}

export async function lockOrder(tx: Tx, orderId: string): Promise<Order | undefined> {
  const { rows } = await tx.query(`SELECT ${columns} FROM orders WHERE id = $1 FOR UPDATE`, [orderId]);
  return rows[0] ? present(rows[0]) : undefined;
}

export async function ordersOf(db: Database, customerId: string, limit: number): Promise<Order[]> {
  const { rows } = await db.pool.query(`SELECT ${columns} FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT $2`, [
    customerId,
    limit,
  ]);
  return rows.map(present);
}

/** The order moved to status, with what it keeps (a reason; a total and currency, never overwritten); returns the order as it now is. */
export async function saveStatus(
  tx: Tx,
  orderId: string,
  status: Status,
  extra: { reason?: string | undefined; totalCents?: number | undefined; currency?: string | undefined },
): Promise<Order> {
  const { rows } = await tx.query(
    `UPDATE orders SET status = $2, reason = COALESCE($3, reason), total_cents = COALESCE(total_cents, $4),
            currency = COALESCE($5, currency), updated_at = now() WHERE id = $1 RETURNING ${columns}`,
    [orderId, status, extra.reason ?? null, extra.totalCents ?? null, extra.currency ?? null],
  );
  return present(rows[0]!);
}
