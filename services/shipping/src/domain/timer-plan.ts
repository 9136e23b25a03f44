import { canMove, type Delays, type ShipmentStatus, statusAfter, type TimerKind, timerAfter } from './shipment.js';

/** A due timer with its shipment, both locked for this tick. */
export interface ClaimedTimer {
  id: string;
  orderId: string;
  kind: TimerKind;
  causeId: string;
  shipmentId: string;
  status: ShipmentStatus;
  carrier: string | null;
  trackingNumber: string | null;
}

/** A timer that moves its shipment on: to `to`, then (if any) the next timer. */
export interface TimerStep {
  timer: ClaimedTimer & { carrier: string; trackingNumber: string };
  to: Extract<ShipmentStatus, 'dispatched' | 'delivered'>;
  next: { kind: TimerKind; delayMs: number } | undefined;
}

export interface TimerPlan {
  steps: TimerStep[];
  /** Timers that no longer apply (the shipment moved on, or is a tombstone): deleted, nothing emitted. */
  stale: ClaimedTimer[];
  /** A second timer of a shipment already stepping in this tick: left for the next tick. */
  later: ClaimedTimer[];
}

/** What a tick does with the timers it claimed, in their order. Pure. */
export function planTimers(claimed: readonly ClaimedTimer[], delays: Delays): TimerPlan {
  const plan: TimerPlan = { steps: [], stale: [], later: [] };
  const stepping = new Set<string>();
  for (const timer of claimed) {
    if (stepping.has(timer.shipmentId)) {
      plan.later.push(timer);
      continue;
    }
    const to = statusAfter(timer.kind);
    const { carrier, trackingNumber } = timer;
    if (!canMove(timer.status, to) || !carrier || !trackingNumber) {
      plan.stale.push(timer);
      continue;
    }
    stepping.add(timer.shipmentId);
    plan.steps.push({ timer: { ...timer, carrier, trackingNumber }, to, next: timerAfter(to, delays) });
  }
  return plan;
}
