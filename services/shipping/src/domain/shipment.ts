import { createHash } from 'node:crypto';

/** Pure shipping rules: who carries an order, its tracking number, and how a shipment moves. */

export const carriers = ['DHL', 'UPS', 'DPD', 'GLS'] as const;
export type Carrier = (typeof carriers)[number];

export const shipmentStatuses = ['created', 'dispatched', 'delivered', 'cancelled'] as const;
export type ShipmentStatus = (typeof shipmentStatuses)[number];

/** A step the timer worker takes when a timer falls due. */
export type TimerKind = 'dispatch' | 'deliver';

export interface Delays {
  dispatchMs: number;
  deliveryMs: number;
}

/** Bytes fixed by the order id: a redelivered create gets the same carrier and tracking number. */
function digestOf(orderId: string): Buffer {
  return createHash('sha256').update(orderId).digest();
}

export function carrierFor(orderId: string): Carrier {
  return carriers[digestOf(orderId).readUInt32BE(0) % carriers.length]!;
}

/** `OR` and ten digits drawn from the order id's hash (a different part of it than the carrier). */
export function trackingNumberFor(orderId: string): string {
  const n = digestOf(orderId).readBigUInt64BE(8) % 10_000_000_000n;
  return `OR${n.toString().padStart(10, '0')}`;
}

/** created → dispatched → delivered; cancelled only before dispatch. Nothing leaves a terminal state. */
const transitions: Record<ShipmentStatus, readonly ShipmentStatus[]> = {
  created: ['dispatched', 'cancelled'],
  dispatched: ['delivered'],
  delivered: [],
  cancelled: [],
};

export function canMove(from: ShipmentStatus, to: ShipmentStatus): boolean {
  return transitions[from].includes(to);
}

/** The status a timer of this kind moves a shipment to. */
export function statusAfter(kind: TimerKind): Extract<ShipmentStatus, 'dispatched' | 'delivered'> {
  return kind === 'dispatch' ? 'dispatched' : 'delivered';
}

/** The timer to schedule once a shipment reaches a status, if any. */
export function timerAfter(status: ShipmentStatus, delays: Delays): { kind: TimerKind; delayMs: number } | undefined {
  if (status === 'created') return { kind: 'dispatch', delayMs: delays.dispatchMs };
  if (status === 'dispatched') return { kind: 'deliver', delayMs: delays.deliveryMs };
  return undefined;
}

export type CancelDecision = 'cancel' | 'already_cancelled' | 'too_late';

/** A shipment can be cancelled until it leaves the warehouse; a second cancel changes nothing. */
export function decideCancel(status: ShipmentStatus): CancelDecision {
  if (status === 'cancelled') return 'already_cancelled';
  return canMove(status, 'cancelled') ? 'cancel' : 'too_late';
}
