import type { Tx } from '@orderly/platform';
import type { Line, StockRow } from './domain/reservation.js';

/**
 * Locks the products of an order in SKU order: every transaction takes its row locks in the same
 * order, so two orders for overlapping SKUs wait for each other instead of deadlocking.
 */
export async function lockStock(tx: Tx, skus: string[]): Promise<Map<string, StockRow>> {
  const { rows } = await tx.query<StockRow>(
    `SELECT sku, price_cents AS "priceCents", currency, available FROM products
      WHERE sku = ANY($1) ORDER BY sku FOR UPDATE`,
    [skus],
  );
  return new Map(rows.map((r) => [r.sku, r]));
}

/**
 * Moves quantities between the stock columns of several products in one statement. It goes with
 * the commit: the rows are locked already, and every round trip between lock and commit is time
 * that other orders for the same SKUs wait.
 */
export function moveStock(tx: Tx, lines: Line[], move: 'reserve' | 'release' | 'commit' | 'return'): void {
  const delta = {
    reserve: 'available = available - l.qty, reserved = reserved + l.qty',
    release: 'available = available + l.qty, reserved = reserved - l.qty',
    commit: 'reserved = reserved - l.qty, sold = sold + l.qty',
    return: 'available = available + l.qty, sold = sold - l.qty',
  }[move];
  tx.queueForCommit(
    `UPDATE products p SET ${delta}
       FROM unnest($1::text[], $2::int[]) AS l(sku, qty) WHERE p.sku = l.sku`,
    [lines.map((l) => l.sku), lines.map((l) => l.qty)],
  );
}

export interface Reservation {
  status: 'reserved' | 'committed' | 'released' | 'returned' | 'rejected' | 'cancelled';
  lines: Line[];
}

export async function findReservation(tx: Tx, orderId: string): Promise<Reservation | undefined> {
  const { rows } = await tx.query<Reservation>('SELECT status, lines FROM reservations WHERE order_id = $1 FOR UPDATE', [orderId]);
  return rows[0];
}
