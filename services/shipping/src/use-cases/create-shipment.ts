import { randomUUID } from 'node:crypto';
import type { Logger, Tx } from '@orderly/platform';
import { carrierFor, type Delays, timerAfter, trackingNumberFor } from '../domain/shipment.js';
import { insertShipment } from '../store/shipment-store.js';
import { scheduleTimer, type TimerScheduled } from '../store/timer-store.js';

/** A confirmed order gets one shipment, with carrier and tracking number, and its dispatch scheduled. */
export async function createShipment(
  data: { orderId: string; customerId: string },
  tx: Tx,
  delays: Delays,
  logger: Logger,
  scheduled?: TimerScheduled,
): Promise<void> {
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
  await scheduleTimer(
    tx,
    { shipmentId: shipment.shipmentId, orderId, kind: next.kind, delayMs: next.delayMs, causeId: created.id },
    scheduled,
  );
}
