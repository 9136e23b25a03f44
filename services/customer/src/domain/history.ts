/**
 * A customer's order history is a projection of the order events, which can arrive twice or out
 * of order. So each event is folded in by one rule: the status only moves forward
 * (PENDING < CONFIRMED < SHIPPED < DELIVERED), REJECTED and CANCELLED end the order and are never
 * overwritten, and every event fills in what the entry does not know yet without replacing what it does.
 */

export const orderEventTypes = [
  'order.placed',
  'order.confirmed',
  'order.rejected',
  'order.cancelled',
  'order.shipped',
  'order.delivered',
] as const;
export type OrderEventType = (typeof orderEventTypes)[number];

export const historyStatuses = ['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED', 'REJECTED', 'CANCELLED'] as const;
export type HistoryStatus = (typeof historyStatuses)[number];

/** What the history takes from one order event. */
export interface OrderFact {
  type: OrderEventType;
  orderId: string;
  customerId: string;
  /** The event's time (ISO 8601). */
  time: string;
  totalCents?: number;
  currency?: string;
  reason?: string;
}

export interface HistoryEntry {
  orderId: string;
  customerId: string;
  status: HistoryStatus;
  totalCents?: number;
  currency?: string;
  reason?: string;
  /** When the order was placed: the earliest event time seen, which is order.placed's once it has arrived. */
  placedAt: string;
  /** The latest event time seen. */
  updatedAt: string;
}

const statusAfter: Record<OrderEventType, HistoryStatus> = {
  'order.placed': 'PENDING',
  'order.confirmed': 'CONFIRMED',
  'order.shipped': 'SHIPPED',
  'order.delivered': 'DELIVERED',
  'order.rejected': 'REJECTED',
  'order.cancelled': 'CANCELLED',
};

const progress: Record<HistoryStatus, number> = { PENDING: 0, CONFIRMED: 1, SHIPPED: 2, DELIVERED: 3, REJECTED: 4, CANCELLED: 4 };

export const isTerminal = (s: HistoryStatus) => s === 'REJECTED' || s === 'CANCELLED';

/** Whether the entry may move from current to next. */
export function advances(current: HistoryStatus, next: HistoryStatus): boolean {
  if (isTerminal(current)) return false;
  return progress[next] > progress[current];
}

/** The entry after one more event; the first event seen for an order creates it, whichever it is. */
export function project(current: HistoryEntry | undefined, fact: OrderFact): HistoryEntry {
  const next = statusAfter[fact.type];
  if (!current) {
    return withoutUndefined({
      orderId: fact.orderId,
      customerId: fact.customerId,
      status: next,
      totalCents: fact.totalCents,
      currency: fact.currency,
      reason: isTerminal(next) ? fact.reason : undefined,
      placedAt: fact.time,
      updatedAt: fact.time,
    });
  }
  const moves = advances(current.status, next);
  return withoutUndefined({
    ...current,
    status: moves ? next : current.status,
    totalCents: current.totalCents ?? fact.totalCents,
    currency: current.currency ?? fact.currency,
    reason: moves && isTerminal(next) ? fact.reason : current.reason,
    placedAt: earliest(current.placedAt, fact.time),
    updatedAt: latest(current.updatedAt, fact.time),
  });
}

const earliest = (a: string, b: string) => (Date.parse(b) < Date.parse(a) ? b : a);
const latest = (a: string, b: string) => (Date.parse(b) > Date.parse(a) ? b : a);

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
