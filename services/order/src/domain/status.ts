import type { cancellationReasons, rejectionReasons } from '@orderly/events';

/**
 * The order's state machine. Events can arrive twice or out of order, so a change applies only
 * if it moves the order forward; anything that no longer applies is ignored, not an error.
 */
export const statuses = ['PENDING', 'RESERVED', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'REJECTED', 'CANCELLED'] as const;
export type Status = (typeof statuses)[number];
export type RejectionReason = (typeof rejectionReasons)[number];
export type CancellationReason = (typeof cancellationReasons)[number];

const progress: Record<Status, number> = { PENDING: 0, RESERVED: 1, CONFIRMED: 2, SHIPPED: 3, DELIVERED: 4, REJECTED: 5, CANCELLED: 5 };

/** The saga has decided: the order will be fulfilled, or it never will be. */
export const isDecided = (s: Status) => s !== 'PENDING' && s !== 'RESERVED';

export interface Change {
  status: Status;
  reason?: RejectionReason | CancellationReason;
}

/**
 * What a change means for an order in its current status: `apply` it; ignore it as `stale` (late,
 * repeated or overtaken); or it is `early`: a step it depends on has not happened yet (CONFIRMED
 * needs RESERVED first, SHIPPED needs CONFIRMED, DELIVERED needs SHIPPED). An early change is
 * never applied by skipping the step: it is retried until the step has happened, or parked.
 */
export type Verdict = 'apply' | 'stale' | 'early';

export function judge(current: Status, next: Status): Verdict {
  if (current === 'REJECTED' || current === 'CANCELLED') return 'stale';
  if (next === 'REJECTED') return current === 'PENDING' || current === 'RESERVED' ? 'apply' : 'stale';
  if (next === 'CANCELLED') return canCancel(current) ? 'apply' : 'stale';
  if (progress[next] <= progress[current]) return 'stale';
  return progress[next] === progress[current] + 1 ? 'apply' : 'early';
}

export function applies(current: Status, next: Status): boolean {
  return judge(current, next) === 'apply';
}

/** A customer may cancel until the parcel has left. */
export function canCancel(current: Status): boolean {
  return current === 'PENDING' || current === 'RESERVED' || current === 'CONFIRMED';
}
