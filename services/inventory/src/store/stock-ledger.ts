import { type Tx, TxLocal } from '@orderly/platform';
import type { Line, StockRow } from '../domain/reservation.js';
import { lockStock, moveStock } from './product-store.js';
import { lockReservations, type Reservation } from './reservation-store.js';

/**
 * What one transaction holds locked: the reservations of its orders (undefined: none yet) and the
 * products they need (absent: no such SKU). Kept up to date by each message of a batch, so the next
 * one sees the stock the previous one took, although the writes wait for the commit.
 */
interface Ledger {
  reservations: Map<string, Reservation | undefined>;
  stock: Map<string, StockRow>;
  lockedSkus: Set<string>;
}

const ledgerOf = new TxLocal<Ledger>(() => ({ reservations: new Map(), stock: new Map(), lockedSkus: new Set() }));

/** What a stock message names: its order, and the SKUs it asks for (a reserve). */
export interface StockRequest {
  orderId: string;
  skus: readonly string[];
}

const sortedNew = (values: Iterable<string>, held: { has(v: string): boolean }) => [...new Set(values)].filter((v) => !held.has(v)).sort();

/**
 * Locks what the requests need and this transaction does not hold yet: their reservations, then
 * every product they or those reservations name, each set in one statement in sorted order. A batch
 * locks everything up front (prepareBatch), so replicas always take rows in the same order: all the
 * reservations, then all the products. A later call for the same requests costs nothing.
 */
export async function lockFor(tx: Tx, requests: readonly StockRequest[]): Promise<void> {
  const ledger = tx.local(ledgerOf);
  const orders = sortedNew(
    requests.map((r) => r.orderId),
    ledger.reservations,
  );
  if (orders.length > 0) {
    const found = await lockReservations(tx, orders);
    for (const orderId of orders) ledger.reservations.set(orderId, found.get(orderId));
  }
  const named = requests.flatMap((r) => [...r.skus, ...(ledger.reservations.get(r.orderId)?.lines.map((l) => l.sku) ?? [])]);
  const skus = sortedNew(named, ledger.lockedSkus);
  if (skus.length === 0) return;
  for (const [sku, row] of await lockStock(tx, skus)) ledger.stock.set(sku, row);
  for (const sku of skus) ledger.lockedSkus.add(sku);
}

/** The order's reservation as this transaction holds it (lockFor first). */
export function reservationOf(tx: Tx, orderId: string): Reservation | undefined {
  const ledger = tx.local(ledgerOf);
  if (!ledger.reservations.has(orderId)) throw new Error(`reservation of ${orderId} read before it was locked`);
  return ledger.reservations.get(orderId);
}

/** The stock this transaction holds, as the messages before this one left it. */
export function heldStock(tx: Tx): ReadonlyMap<string, StockRow> {
  return tx.local(ledgerOf).stock;
}

/** Records the order's new reservation state for the rest of the transaction (the write is the caller's). */
export function noteReservation(tx: Tx, orderId: string, reservation: Reservation): void {
  tx.local(ledgerOf).reservations.set(orderId, reservation);
}

const availableDelta = { reserve: -1, release: 1, return: 1, commit: 0 } as const;

/** Moves stock (the write goes with the commit) and what the rest of the transaction sees available. */
export function applyMove(tx: Tx, lines: readonly Line[], move: keyof typeof availableDelta): void {
  moveStock(tx, [...lines], move);
  const { stock } = tx.local(ledgerOf);
  for (const { sku, qty } of lines) {
    const row = stock.get(sku);
    if (row) stock.set(sku, { ...row, available: row.available + availableDelta[move] * qty });
  }
}
