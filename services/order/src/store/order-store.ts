import { type Database, type Tx, TxLocal } from '@orderly/platform';
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

/**
 * What a transaction holds: the orders it locked, as its queued writes leave them (the next message
 * of a batch sees the status the previous one set, although the write waits for the commit), and
 * its now(), read with the first lock: what `updated_at = now()` writes at the commit.
 */
const held = new TxLocal<{ now?: string; orders: Map<string, Order> }>(() => ({ orders: new Map() }));

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

/** The order, locked for the rest of the transaction; a second call in the same transaction costs nothing. */
export async function lockOrder(tx: Tx, orderId: string): Promise<Order | undefined> {
  const h = tx.local(held);
  const mine = h.orders.get(orderId);
  if (mine) return mine;
  const { rows } = await tx.query(`SELECT ${columns}, now() AS "lockedAt" FROM orders WHERE id = $1 FOR UPDATE`, [orderId]);
  hold(h, rows);
  return h.orders.get(orderId);
}

/** Keeps locked rows as the transaction's, with its now(). */
function hold(h: { now?: string; orders: Map<string, Order> }, rows: Record<string, unknown>[]): void {
  for (const { lockedAt, ...row } of rows) {
    h.now = lockedAt as string;
    const order = present(row);
    h.orders.set(order.orderId, order);
  }
}

/**
 * Locks every order of a batch in one statement, in id order (so two replicas lock shared orders in
 * the same order), and keeps them for lockOrder: each message of the batch then locks for free.
 * Orders that do not exist are simply not held; lockOrder looks again and finds none.
 */
export async function lockOrders(tx: Tx, orderIds: readonly string[]): Promise<void> {
  const h = tx.local(held);
  const wanted = [...new Set(orderIds)].filter((id) => !h.orders.has(id)).sort();
  if (wanted.length === 0) return;
  const { rows } = await tx.query(`SELECT ${columns}, now() AS "lockedAt" FROM orders WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [
    wanted,
  ]);
  hold(h, rows);
}

export async function ordersOf(db: Database, customerId: string, limit: number): Promise<Order[]> {
  const { rows } = await db.pool.query(`SELECT ${columns} FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT $2`, [
    customerId,
    limit,
  ]);
  return rows.map(present);
}

/**
 * Moves a locked order to status, with what it keeps (a reason; a total and currency, never
 * overwritten). The write goes with the commit (nothing reads the row back: it costs no round trip
 * of its own); returns the row as it will be: the same COALESCEs, updated_at the transaction's now().
 */
export function saveStatus(
  tx: Tx,
  order: Order,
  status: Status,
  extra: { reason?: string | undefined; totalCents?: number | undefined; currency?: string | undefined },
): Order {
  const h = tx.local(held);
  if (!h.orders.has(order.orderId) || h.now === undefined)
    throw new Error(`order ${order.orderId} saved without being locked in this transaction (lockOrder)`);
  tx.queueForCommit(
    `UPDATE orders SET status = $2, reason = COALESCE($3, reason), total_cents = COALESCE(total_cents, $4),
            currency = COALESCE($5, currency), updated_at = now() WHERE id = $1`,
    [order.orderId, status, extra.reason ?? null, extra.totalCents ?? null, extra.currency ?? null],
  );
  const saved = present({
    ...order,
    status,
    reason: extra.reason ?? order.reason ?? null,
    totalCents: order.totalCents ?? extra.totalCents ?? null,
    currency: extra.currency ?? order.currency,
    updatedAt: h.now,
  });
  h.orders.set(order.orderId, saved);
  return saved;
}
