import { randomUUID } from 'node:crypto';
import type { Logger, Tx } from '@orderly/platform';
import { decideCancel } from '../domain/shipment.js';
import { insertShipment, lockShipmentOfOrder, setStatus } from '../store/shipment-store.js';
import { deleteTimersOf } from '../store/timer-store.js';

/**
 * Stops a shipment that has not left yet. A cancel that comes before the create leaves a
 * tombstone, so the late create ships nothing.
 */
export async function cancelShipment(orderId: string, tx: Tx, logger: Logger): Promise<void> {
  const tombstone = {
    shipmentId: randomUUID(),
    orderId,
    customerId: null,
    carrier: null,
    trackingNumber: null,
    status: 'cancelled' as const,
  };
  if (await insertShipment(tx, tombstone)) {
    logger.info({ orderId }, 'cancel before any shipment; recorded so a late create ships nothing');
    return;
  }
  const shipment = (await lockShipmentOfOrder(tx, orderId))!;
  const decision = decideCancel(shipment.status);
  if (decision !== 'cancel') {
    if (decision === 'too_late') logger.warn({ orderId, status: shipment.status }, 'shipment already left; cancel ignored');
    return;
  }
  await setStatus(tx, shipment.shipmentId, 'cancelled');
  await deleteTimersOf(tx, shipment.shipmentId);
  tx.emit('shipment.cancelled', orderId, { orderId, shipmentId: shipment.shipmentId });
}
