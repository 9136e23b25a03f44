import type { Tx } from '@orderly/platform';
import { setReservationStatus } from '../store/reservation-store.js';
import { applyMove, lockFor, noteReservation, reservationOf } from '../store/stock-ledger.js';

/** The order is paid: its held stock is sold. */
export async function commitStock(orderId: string, tx: Tx): Promise<void> {
  await lockFor(tx, [{ orderId, skus: [] }]);
  const reservation = reservationOf(tx, orderId);
  if (reservation?.status !== 'reserved') return;
  applyMove(tx, reservation.lines, 'commit');
  setReservationStatus(tx, orderId, 'committed');
  noteReservation(tx, orderId, { ...reservation, status: 'committed' });
  tx.emit('inventory.committed', orderId, { orderId, lines: reservation.lines.map(({ sku, qty }) => ({ sku, qty })) });
}
