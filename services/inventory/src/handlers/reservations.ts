import type { EventData } from '@orderly/events';
import type { Handlers, Tx } from '@orderly/platform';
import { mergeLines, planReservation } from '../domain/reservation.js';
import { findReservation, lockStock, moveStock } from '../stock.js';

/** order.placed (choreography) or inventory.reserve (orchestration): reserve every line or none. */
export async function reserve(data: EventData<'inventory.reserve'>, tx: Tx): Promise<void> {
  if (await findReservation(tx, data.orderId)) return; // decided already, or cancelled before it arrived
  const demand = mergeLines(data.items);
  const stock = await lockStock(
    tx,
    demand.map((l) => l.sku),
  );
  const plan = planReservation(demand, stock);
  if (!plan.ok) {
    await tx.query(`INSERT INTO reservations (order_id, status, lines) VALUES ($1, 'rejected', $2)`, [
      data.orderId,
      JSON.stringify(demand),
    ]);
    tx.emit('inventory.rejected', data.orderId, { orderId: data.orderId, reason: plan.reason, skus: plan.skus });
    return;
  }
  moveStock(tx, plan.lines, 'reserve');
  tx.queueForCommit(`INSERT INTO reservations (order_id, status, lines, total_cents) VALUES ($1, 'reserved', $2, $3)`, [
    data.orderId,
    JSON.stringify(plan.lines),
    plan.totalCents,
  ]);
  tx.emit('inventory.reserved', data.orderId, {
    orderId: data.orderId,
    lines: plan.lines,
    totalCents: plan.totalCents,
    currency: plan.currency,
    ...(data.paymentMethod ? { paymentMethod: data.paymentMethod } : {}),
  });
}

/**
 * Compensation (payment failed, order cancelled, inventory.release): held stock goes back to
 * available; stock already sold is returned. If nothing is held yet, a tombstone makes sure a
 * reservation arriving later holds nothing.
 */
export async function release(orderId: string, tx: Tx): Promise<void> {
  const reservation = await findReservation(tx, orderId);
  if (!reservation) {
    await tx.query(`INSERT INTO reservations (order_id, status, lines) VALUES ($1, 'cancelled', '[]')`, [orderId]);
    return;
  }
  if (reservation.status !== 'reserved' && reservation.status !== 'committed') return;
  const returned = reservation.status === 'committed';
  await lockStock(
    tx,
    reservation.lines.map((l) => l.sku),
  );
  moveStock(tx, reservation.lines, returned ? 'return' : 'release');
  tx.queueForCommit(`UPDATE reservations SET status = $2, updated_at = now() WHERE order_id = $1`, [
    orderId,
    returned ? 'returned' : 'released',
  ]);
  tx.emit('inventory.released', orderId, { orderId, lines: reservation.lines.map(({ sku, qty }) => ({ sku, qty })), returned });
}

/** Paid (payment.completed or inventory.commit): the held stock is sold. */
export async function commit(orderId: string, tx: Tx): Promise<void> {
  const reservation = await findReservation(tx, orderId);
  if (reservation?.status !== 'reserved') return;
  await lockStock(
    tx,
    reservation.lines.map((l) => l.sku),
  );
  moveStock(tx, reservation.lines, 'commit');
  tx.queueForCommit(`UPDATE reservations SET status = 'committed', updated_at = now() WHERE order_id = $1`, [orderId]);
  tx.emit('inventory.committed', orderId, { orderId, lines: reservation.lines.map(({ sku, qty }) => ({ sku, qty })) });
}

/** The same functions serve both saga modes; the topology decides which of these keys arrive. */
export const inventoryHandlers: Handlers = {
  'order.placed': ({ data }, tx) => reserve(data, tx),
  'inventory.reserve': ({ data }, tx) => reserve(data, tx),
  'payment.failed': ({ data }, tx) => release(data.orderId, tx),
  'order.cancelled': ({ data }, tx) => release(data.orderId, tx),
  'inventory.release': ({ data }, tx) => release(data.orderId, tx),
  'payment.completed': ({ data }, tx) => commit(data.orderId, tx),
  'inventory.commit': ({ data }, tx) => commit(data.orderId, tx),
};
