import type { Tx } from '@orderly/platform';
import type { Line, PricedLine } from '../domain/reservation.js';

export interface Reservation {
  status: 'reserved' | 'committed' | 'released' | 'returned' | 'rejected' | 'cancelled';
  lines: Line[];
}

/**
 * The orders' reservations, locked in order id order: the one decision per order is taken under
 * this lock. An order without one is absent from the map.
 */
export async function lockReservations(tx: Tx, orderIds: readonly string[]): Promise<Map<string, Reservation>> {
  const { rows } = await tx.query<Reservation & { orderId: string }>(
    `SELECT order_id::text AS "orderId", status, lines FROM reservations
      WHERE order_id = ANY($1::uuid[]) ORDER BY order_id FOR UPDATE`,
    [orderIds],
  );
  return new Map(rows.map(({ orderId, ...r }) => [orderId, r]));
}

export async function insertRejected(tx: Tx, orderId: string, demand: Line[]): Promise<void> {
  await tx.query(`INSERT INTO reservations (order_id, status, lines) VALUES ($1, 'rejected', $2)`, [orderId, JSON.stringify(demand)]);
}

/** Goes with the commit, like the stock it holds. */
export function insertReserved(tx: Tx, orderId: string, lines: PricedLine[], totalCents: number): void {
  tx.queueForCommit(`INSERT INTO reservations (order_id, status, lines, total_cents) VALUES ($1, 'reserved', $2, $3)`, [
    orderId,
    JSON.stringify(lines),
    totalCents,
  ]);
}

/** A release that came before the reservation: the late reservation finds the order decided and holds nothing. */
export async function insertTombstone(tx: Tx, orderId: string): Promise<void> {
  await tx.query(`INSERT INTO reservations (order_id, status, lines) VALUES ($1, 'cancelled', '[]')`, [orderId]);
}

export function setReservationStatus(tx: Tx, orderId: string, status: 'committed' | 'released' | 'returned'): void {
  tx.queueForCommit(`UPDATE reservations SET status = $2, updated_at = now() WHERE order_id = $1`, [orderId, status]);
}
