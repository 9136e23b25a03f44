import type { Tx } from '@orderly/platform';
import { lockStock, moveStock } from '../store/product-store.js';
import { findReservation, setReservationStatus } from '../store/reservation-store.js';

/** The order is paid: its held stock is sold. */
export async function commitStock(orderId: string, tx: Tx): Promise<void> {
  const reservation = await findReservation(tx, orderId);
  if (reservation?.status !== 'reserved') return;
  await lockStock(
    tx,
    reservation.lines.map((l) => l.sku),
  );
  moveStock(tx, reservation.lines, 'commit');
  setReservationStatus(tx, orderId, 'committed');
  tx.emit('inventory.committed', orderId, { orderId, lines: reservation.lines.map(({ sku, qty }) => ({ sku, qty })) });
}
