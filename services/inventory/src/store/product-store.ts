import type { Pool, Tx } from '@orderly/platform';
import type { Line, StockRow } from '../domain/reservation.js';

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

const productView = `SELECT sku, name, price_cents AS "priceCents", currency, available, reserved, sold FROM products`;

export async function listProducts(pool: Pool): Promise<unknown[]> {
  return (await pool.query(`${productView} ORDER BY sku`)).rows;
}

export async function findProduct(pool: Pool, sku: string): Promise<unknown | undefined> {
  return (await pool.query(`${productView} WHERE sku = $1`, [sku])).rows[0];
}

/** Restock: sets what is available for sale; reserved and sold stock is untouched. False for an unknown SKU. */
export async function setAvailable(pool: Pool, sku: string, available: number): Promise<boolean> {
  const { rowCount } = await pool.query('UPDATE products SET available = $2 WHERE sku = $1', [sku, available]);
  return rowCount === 1;
}

/** Adds the products that are missing; never touches stock that already exists. */
export async function addMissingProducts(pool: Pool, products: readonly (Omit<StockRow, 'currency'> & { name: string })[]): Promise<void> {
  await pool.query(
    `INSERT INTO products (sku, name, price_cents, available)
     SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::int[]) ON CONFLICT (sku) DO NOTHING`,
    [products.map((p) => p.sku), products.map((p) => p.name), products.map((p) => p.priceCents), products.map((p) => p.available)],
  );
}
