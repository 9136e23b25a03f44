import { type Pool, RowBatch, type Tx } from '@orderly/platform';
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

type EntryRow = [
  orderId: string,
  customerId: string,
  status: HistoryStatus,
  totalCents: number | null,
  currency: string | null,
  reason: string | null,
  placedAt: string,
  updatedAt: string,
];

const values = (e: HistoryEntry): EntryRow => [
  e.orderId,
  e.customerId,
  e.status,
  e.totalCents ?? null,
  e.currency ?? null,
  e.reason ?? null,
  e.placedAt,
  e.updatedAt,
];

/**
 * Locks an order's entry for the rest of the transaction, creating it as `first` when there is
 * none: one round trip (the insert and the lock are pipelined). `created` says `first` is what is
 * stored. An insert racing another transaction's waits for it to end and then inserts nothing, so
 * the lock that follows finds that transaction's row: neither event is lost, nor does either fail.
 */
export async function lockOrCreateEntry(tx: Tx, first: HistoryEntry): Promise<{ entry: HistoryEntry; created: boolean }> {
  const inserted = tx.query(
    `INSERT INTO customer_orders (${columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (order_id) DO NOTHING`,
    values(first),
  );
  const locked = tx.query<Row>(`SELECT ${columns} FROM customer_orders WHERE order_id = $1 FOR UPDATE`, [first.orderId]);
  const [{ rowCount }, { rows }] = await Promise.all([inserted, locked]);
  if (!rows[0]) throw new Error(`order ${first.orderId}: its history entry vanished between insert and lock`);
  return { entry: toEntry(rows[0]), created: rowCount === 1 };
}

/** The batch's entries as they end up: one row per order (its last state), written in one statement. */
const entryRows = new RowBatch<EntryRow>({
  types: ['uuid', 'text', 'text', 'bigint', 'text', 'text', 'timestamptz', 'timestamptz'],
  sql: (rows) => `UPDATE customer_orders o
        SET customer_id = v.customer_id, status = v.status, total_cents = v.total_cents, currency = v.currency,
            reason = v.reason, placed_at = v.placed_at, updated_at = v.updated_at
       FROM ${rows} AS v(order_id, customer_id, status, total_cents, currency, reason, placed_at, updated_at)
      WHERE o.order_id = v.order_id`,
  key: ([orderId]) => orderId,
});

/**
 * Writes a locked entry as it now is; nothing reads the result, so it goes with the COMMIT. A later
 * state of the same order in the transaction replaces this one.
 */
export function queueEntry(tx: Tx, e: HistoryEntry): void {
  tx.queueRowForCommit(entryRows, values(e));
}

/** Whether two entries would be stored alike (a fold that changed nothing needs no write). */
export const sameEntry = (a: HistoryEntry, b: HistoryEntry) => JSON.stringify(values(a)) === JSON.stringify(values(b));

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
