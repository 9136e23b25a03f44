import { randomUUID } from 'node:crypto';
import type { Handlers, Logger, Tx } from '@orderly/platform';
import { carrierFor, type Delays, decideCancel, timerAfter, trackingNumberFor } from '../domain/shipment.js';
import { deleteTimersOf, insertShipment, lockShipmentOfOrder, scheduleTimer, setStatus } from '../shipments.js';

/** order.confirmed (choreography) or shipping.create (orchestration): one shipment per order, its dispatch scheduled. */
export async function create(data: { orderId: string; customerId: string }, tx: Tx, delays: Delays, logger: Logger): Promise<void> {
  const { orderId } = data;
  const shipment = {
    shipmentId: randomUUID(),
    orderId,
    customerId: data.customerId,
    carrier: carrierFor(orderId),
    trackingNumber: trackingNumberFor(orderId),
    status: 'created' as const,
  };
  if (!(await insertShipment(tx, shipment))) {
    logger.info({ orderId }, 'order has a shipment or was cancelled already; nothing to create');
    return;
  }
  const created = tx.emit('shipment.created', orderId, {
    orderId,
    shipmentId: shipment.shipmentId,
    carrier: shipment.carrier,
    trackingNumber: shipment.trackingNumber,
  });
  const next = timerAfter('created', delays)!;
  await scheduleTimer(tx, { shipmentId: shipment.shipmentId, orderId, kind: next.kind, delayMs: next.delayMs, causeId: created.id });
}

/**
 * order.cancelled or shipping.cancel: stops a shipment that has not left yet. A cancel that comes
 * before the create leaves a tombstone, so the late create ships nothing.
 */
export async function cancel(orderId: string, tx: Tx, logger: Logger): Promise<void> {
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

/** The same two functions in both saga modes; only the bindings differ. */
export function shippingHandlers(delays: Delays, logger: Logger): Handlers {
  return {
    'order.confirmed': (event, tx) => create(event.data, tx, delays, logger),
    'shipping.create': (event, tx) => create(event.data, tx, delays, logger),
    'order.cancelled': (event, tx) => cancel(event.data.orderId, tx, logger),
    'shipping.cancel': (event, tx) => cancel(event.data.orderId, tx, logger),
  };
}
