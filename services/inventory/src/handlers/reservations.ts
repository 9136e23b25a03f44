import type { EventData } from '@orderly/events';
import type { Handlers, Tx } from '@orderly/platform';
import { mergeLines, planReservation } from '../domain/reservation.js';
import { findReservation, lockStock, moveStock } from '../stock.js';

/** order.placed: reserve every line or none, and say which. */
export async function reserve(data: EventData<'order.placed'>, tx: Tx): Promise<void> {
  if (await findReservation(tx, data.orderId)) return; // decided already; a replay changes nothing
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
  await moveStock(tx, plan.lines, 'reserve');
  await tx.query(`INSERT INTO reservations (order_id, status, lines, total_cents) VALUES ($1, 'reserved', $2, $3)`, [
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

/** Compensation: give back what was held for an order that will not be paid. */
export async function release(orderId: string, tx: Tx): Promise<void> {
  const reservation = await findReservation(tx, orderId);
  if (reservation?.status !== 'reserved') return;
  await lockStock(
    tx,
    reservation.lines.map((l) => l.sku),
  );
  await moveStock(tx, reservation.lines, 'release');
  await tx.query(`UPDATE reservations SET status = 'released', updated_at = now() WHERE order_id = $1`, [orderId]);
  tx.emit('inventory.released', orderId, { orderId, lines: reservation.lines.map(({ sku, qty }) => ({ sku, qty })) });
}

/** Paid: the held stock is sold. */
export async function commit(orderId: string, tx: Tx): Promise<void> {
  const reservation = await findReservation(tx, orderId);
  if (reservation?.status !== 'reserved') return;
  await lockStock(
    tx,
    reservation.lines.map((l) => l.sku),
  );
  await moveStock(tx, reservation.lines, 'commit');
  await tx.query(`UPDATE reservations SET status = 'committed', updated_at = now() WHERE order_id = $1`, [orderId]);
  tx.emit('inventory.committed', orderId, { orderId, lines: reservation.lines.map(({ sku, qty }) => ({ sku, qty })) });
}

export const inventoryHandlers: Handlers = {
  'order.placed': (event, tx) => reserve(event.data, tx),
  'payment.failed': (event, tx) => release(event.data.orderId, tx),
  'payment.completed': (event, tx) => commit(event.data.orderId, tx),
};
