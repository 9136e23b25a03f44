import type { Logger, Tx } from '@orderly/platform';
import { canMove, type Delays, statusAfter, timerAfter } from '../domain/shipment.js';
import { setStatus, tryLockShipment } from '../store/shipment-store.js';
import { claimTimer, deleteTimer, scheduleTimer } from '../store/timer-store.js';

export type TimerOutcome = 'fired' | 'stale' | 'busy' | 'gone';

/**
 * A due timer dispatches or delivers its shipment, in the caller's transaction: the shipment moves on, its
 * event goes to the outbox, the next timer is scheduled and this one deleted — all or nothing, so a
 * crash at any point leaves the timer to fire again, and a commit leaves nothing to repeat.
 */
export async function advanceShipment(timerId: string, tx: Tx, delays: Delays, logger: Logger): Promise<TimerOutcome> {
  const timer = await claimTimer(tx, timerId);
  if (!timer) return 'gone'; // fired by another replica, or held by one right now
  const shipment = await tryLockShipment(tx, timer.shipmentId);
  if (!shipment) return 'busy'; // a cancel holds it; the timer stays for the next poll
  const to = statusAfter(timer.kind);
  if (!canMove(shipment.status, to) || !shipment.carrier || !shipment.trackingNumber) {
    logger.warn({ orderId: timer.orderId, status: shipment.status, timer: timer.kind }, 'timer no longer applies; dropped');
    await deleteTimer(tx, timer.id);
    return 'stale';
  }
  await setStatus(tx, shipment.shipmentId, to);
  const event = tx.emit(to === 'dispatched' ? 'shipment.dispatched' : 'shipment.delivered', timer.orderId, {
    orderId: timer.orderId,
    shipmentId: shipment.shipmentId,
    carrier: shipment.carrier,
    trackingNumber: shipment.trackingNumber,
  });
  const next = timerAfter(to, delays);
  if (next) await scheduleTimer(tx, { shipmentId: shipment.shipmentId, orderId: timer.orderId, ...next, causeId: event.id });
  await deleteTimer(tx, timer.id);
  return 'fired';
}
