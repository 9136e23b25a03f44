import type { Pool, Tx } from '@orderly/platform';
import type { HistoryEntry, HistoryStatus } from '../domain/history.js';

interface Row {
  order_id: string;
  customer_id: string;
  status: HistoryStatus;
  total_cents: number | null;
  currency: string | null;
  reason: string | null;
  placed_at: Date;
  updated_at: Date;
}

const columns = 'order_id, customer_id, status, total_cents, currency, reason, placed_at, updated_at';

const toEntry = (r: Row): HistoryEntry => ({
  orderId: r.order_id,
  customerId: r.customer_id,
  status: r.status,
  ...(r.total_cents === null ? {} : { totalCents: r.total_cents }),
  ...(r.currency === null ? {} : { currency: r.currency }),
  ...(r.reason === null ? {} : { reason: r.reason }),
  placedAt: r.placed_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

const values = (e: HistoryEntry) => [
  e.orderId,
  e.customerId,
  e.status,
  e.totalCents ?? null,
  e.currency ?? null,
  e.reason ?? null,
  e.placedAt,
  e.updatedAt,
];

/** The entry of an order, locked until the transaction ends. */
export async function lockEntry(tx: Tx, orderId: string): Promise<HistoryEntry | undefined> {
  const { rows } = await tx.query<Row>(`SELECT ${columns} FROM customer_orders WHERE order_id = $1 FOR UPDATE`, [orderId]);
  return rows[0] && toEntry(rows[0]);
}

/** Inserts the first entry of an order; false when a concurrent event inserted it first. */
export async function insertEntry(tx: Tx, e: HistoryEntry): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO customer_orders (${columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (order_id) DO NOTHING`,
    values(e),
  );
  return rowCount === 1;
}

export async function updateEntry(tx: Tx, e: HistoryEntry): Promise<void> {
  await tx.query(
    `UPDATE customer_orders SET customer_id = $2, status = $3, total_cents = $4, currency = $5, reason = $6, placed_at = $7, updated_at = $8
      WHERE order_id = $1`,
    values(e),
  );
}

/** A customer's orders, newest first. */
export async function historyOf(pool: Pool, customerId: string, limit: number): Promise<Omit<HistoryEntry, 'customerId'>[]> {
  const { rows } = await pool.query<Row>(
    `SELECT ${columns} FROM customer_orders WHERE customer_id = $1 ORDER BY placed_at DESC, order_id DESC LIMIT $2`,
    [customerId, limit],
  );
  return rows.map((r) => {
    const { customerId: _, ...entry } = toEntry(r);
    return entry;
  });
}
