import type { EventData } from '@orderly/events';
import type { Tx } from '@orderly/platform';
import { mergeLines, planReservation } from '../domain/reservation.js';
import { insertRejected, insertReserved } from '../store/reservation-store.js';
import { applyMove, heldStock, lockFor, noteReservation, reservationOf } from '../store/stock-ledger.js';

/** Reserves every line of an order or none, and fixes its prices. */
export async function reserveStock(data: EventData<'inventory.reserve'>, tx: Tx): Promise<void> {
  const { orderId } = data;
  await lockFor(tx, [{ orderId, skus: data.items.map((i) => i.sku) }]);
  if (reservationOf(tx, orderId)) return; // decided already, or cancelled before it arrived
  const demand = mergeLines(data.items);
  const plan = planReservation(demand, heldStock(tx));
  if (!plan.ok) {
    await insertRejected(tx, orderId, demand);
    noteReservation(tx, orderId, { status: 'rejected', lines: demand });
    tx.emit('inventory.rejected', orderId, { orderId, reason: plan.reason, skus: plan.skus });
    return;
  }
  applyMove(tx, plan.lines, 'reserve');
  insertReserved(tx, orderId, plan.lines, plan.totalCents);
  noteReservation(tx, orderId, { status: 'reserved', lines: plan.lines });
  tx.emit('inventory.reserved', orderId, {
    orderId,
    lines: plan.lines,
    totalCents: plan.totalCents,
    currency: plan.currency,
    ...(data.paymentMethod ? { paymentMethod: data.paymentMethod } : {}),
  });
}
