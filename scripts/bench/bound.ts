/**
 * The machine's bound on orders/s: each order costs some PostgreSQL transactions and some broker
 * deliveries, and the machine can do only so many of each per second (measured in the same run).
 */

export interface BoundInput {
  /** Small write transactions/s PostgreSQL sustained in the limit test. */
  pgTxPerSec: number;
  /** Commits in database orderly per completed order, measured during the load phases. */
  commitsPerOrder: number;
  /** Persistent confirmed messages/s, publish → consume, the broker sustained in the limit test. */
  brokerMsgsPerSec: number;
  /** Broker deliveries in vhost orderly per completed order (the bench's own excluded). */
  deliveriesPerOrder: number;
}

export interface Bound {
  /** orders/s if PostgreSQL were the only limit. */
  byPostgres: number;
  /** orders/s if RabbitMQ were the only limit. */
  byBroker: number;
  /** min of the two. */
  ordersPerSec: number;
  limitedBy: 'postgres' | 'broker';
}

const perOrder = (capacity: number, costPerOrder: number) =>
  costPerOrder > 0 && Number.isFinite(capacity) ? capacity / costPerOrder : Number.POSITIVE_INFINITY;

export function computeBound(i: BoundInput): Bound {
  const byPostgres = perOrder(i.pgTxPerSec, i.commitsPerOrder);
  const byBroker = perOrder(i.brokerMsgsPerSec, i.deliveriesPerOrder);
  const limitedBy = byPostgres <= byBroker ? 'postgres' : 'broker';
  return { byPostgres, byBroker, ordersPerSec: Math.min(byPostgres, byBroker), limitedBy };
}

/** achieved ÷ bound (0 when the bound is unknown or infinite). */
export function achievedFraction(achievedOrdersPerSec: number, bound: Bound): number {
  return Number.isFinite(bound.ordersPerSec) && bound.ordersPerSec > 0 ? achievedOrdersPerSec / bound.ordersPerSec : 0;
}
