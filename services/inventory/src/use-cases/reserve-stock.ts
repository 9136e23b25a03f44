import type { EventData } from '@orderly/events';
import type { Tx } from '@orderly/platform';
import { mergeLines, planReservation } from '../domain/reservation.js';
import { lockStock, moveStock } from '../store/product-store.js';
import { findReservation, insertRejected, insertReserved } from '../store/reservation-store.js';

/** Reserves every line of an order or none, and fixes its prices. */
export async function reserveStock(data: EventData<'inventory.reserve'>, tx: Tx): Promise<void> {
  if (await findReservation(tx, data.orderId)) return; // decided already, or cancelled before it arrived
  const demand = mergeLines(data.items);
  const stock = await lockStock(
    tx,
    demand.map((l) => l.sku),
  );
  const plan = planReservation(demand, stock);
  if (!plan.ok) {
    await insertRejected(tx, data.orderId, demand);
    tx.emit('inventory.rejected', data.orderId, { orderId: data.orderId, reason: plan.reason, skus: plan.skus });
    return;
  }
  moveStock(tx, plan.lines, 'reserve');
  insertReserved(tx, data.orderId, plan.lines, plan.totalCents);
  tx.emit('inventory.reserved', data.orderId, {
    orderId: data.orderId,
    lines: plan.lines,
    totalCents: plan.totalCents,
    currency: plan.currency,
    ...(data.paymentMethod ? { paymentMethod: data.paymentMethod } : {}),
  });
}
