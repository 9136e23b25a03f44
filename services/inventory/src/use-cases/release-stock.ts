import type { Tx } from '@orderly/platform';
import { lockStock, moveStock } from '../store/product-store.js';
import { findReservation, insertTombstone, setReservationStatus } from '../store/reservation-store.js';

/**
 * Compensation: held stock goes back to available; stock already sold is returned. If nothing is
 * held yet, a tombstone makes sure a reservation arriving later holds nothing.
 */
export async function releaseStock(orderId: string, tx: Tx): Promise<void> {
  const reservation = await findReservation(tx, orderId);
  if (!reservation) {
    await insertTombstone(tx, orderId);
    return;
  }
  if (reservation.status !== 'reserved' && reservation.status !== 'committed') return;
  const returned = reservation.status === 'committed';
  await lockStock(
    tx,
    reservation.lines.map((l) => l.sku),
  );
  moveStock(tx, reservation.lines, returned ? 'return' : 'release');
  setReservationStatus(tx, orderId, returned ? 'returned' : 'released');
  tx.emit('inventory.released', orderId, { orderId, lines: reservation.lines.map(({ sku, qty }) => ({ sku, qty })), returned });
}
