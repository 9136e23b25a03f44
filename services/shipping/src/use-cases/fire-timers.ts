import type { Logger, Tx } from '@orderly/platform';
import type { Delays } from '../domain/shipment.js';
import { planTimers } from '../domain/timer-plan.js';
import { applyTimerSteps, claimDueTimers } from '../store/timer-store.js';

export interface FiredTimers {
  /** Timers claimed this tick (stepped, stale or left for later). */
  claimed: number;
  /** Shipments moved on. */
  fired: number;
  /** When the next timer is due, if any: one not yet due, one this tick scheduled, or 0 for one left for the next tick. */
  nextInMs: number | undefined;
}

/**
 * Fires the due timers in the caller's transaction, set-based: one statement claims them with their
 * shipments, the pure plan decides each, every step emits its event (caused by the event that
 * scheduled the timer), and one statement sent with the COMMIT writes all the steps. All or nothing:
 * a crash leaves every timer to fire again, and a commit leaves nothing to repeat.
 */
export async function fireDueTimers(tx: Tx, delays: Delays, logger: Logger, limit: number, ids?: readonly string[]): Promise<FiredTimers> {
  const { claimed, nextInMs } = await claimDueTimers(tx, limit, ids);
  const plan = planTimers(claimed, delays);
  for (const timer of plan.stale) {
    logger.warn({ orderId: timer.orderId, status: timer.status, timer: timer.kind }, 'timer no longer applies; dropped');
  }
  const fired = plan.steps.map((step) => {
    const { timer, to } = step;
    const event = tx.emit(
      to === 'dispatched' ? 'shipment.dispatched' : 'shipment.delivered',
      timer.orderId,
      { orderId: timer.orderId, shipmentId: timer.shipmentId, carrier: timer.carrier, trackingNumber: timer.trackingNumber },
      { id: timer.causeId, correlationid: timer.orderId },
    );
    return { step, eventId: event.id };
  });
  if (fired.length > 0 || plan.stale.length > 0) applyTimerSteps(tx, fired, plan.stale);
  const after = [...(nextInMs === undefined ? [] : [nextInMs]), ...plan.steps.flatMap((s) => (s.next ? [s.next.delayMs] : []))];
  if (plan.later.length > 0) after.push(0);
  return { claimed: claimed.length, fired: fired.length, nextInMs: after.length > 0 ? Math.min(...after) : undefined };
}
