import type { Tx } from '@orderly/platform';
import { insertTombstone, setReservationStatus } from '../store/reservation-store.js';
import { applyMove, lockFor, noteReservation, reservationOf } from '../store/stock-ledger.js';

/**
 * Compensation: held stock goes back to available; stock already sold is returned. If nothing is
 * held yet, a tombstone makes sure a reservation arriving later holds nothing.
 */
export async function releaseStock(orderId: string, tx: Tx): Promise<void> {
  await lockFor(tx, [{ orderId, skus: [] }]);
  const reservation = reservationOf(tx, orderId);
  if (!reservation) {
    await insertTombstone(tx, orderId);
    noteReservation(tx, orderId, { status: 'cancelled', lines: [] });
    return;
  }
  if (reservation.status !== 'reserved' && reservation.status !== 'committed') return;
  const returned = reservation.status === 'committed';
  applyMove(tx, reservation.lines, returned ? 'return' : 'release');
  const status = returned ? 'returned' : 'released';
  setReservationStatus(tx, orderId, status);
  noteReservation(tx, orderId, { ...reservation, status });
  tx.emit('inventory.released', orderId, { orderId, lines: reservation.lines.map(({ sku, qty }) => ({ sku, qty })), returned });
}
