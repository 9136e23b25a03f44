import { NotYetError, observeLatency, PermanentError, type Tx } from '@orderly/platform';
import { type Facts, lifecycle, type Outcome } from '../domain/lifecycle.js';
import { isDecided, judge } from '../domain/lifecycle-rules.js';
import { orderEvent } from '../domain/order-events.js';
import type { OrderMetrics } from '../metrics.js';
import { lockOrder, type Order, saveStatus } from '../store/order-store.js';

/**
 * A change that depends on a step the order has not taken yet. The step's event is on its way (an
 * outbox row that failed to publish at commit is sent by the sweep seconds later, after the next
 * row went at once), so the message waits for it without spending attempts, and is parked only
 * after NOT_YET_MAX_WAIT_MS (decision 0010).
 */
export class StepMissingError extends NotYetError {
  override name = 'StepMissingError';
}

/** The order, locked for this transaction's decision; one that does not exist is a permanent error. */
export async function lockExistingOrder(tx: Tx, orderId: string): Promise<Order> {
  const order = await lockOrder(tx, orderId);
  if (!order) throw new PermanentError(`order ${orderId} does not exist`);
  return order;
}

/**
 * Applies an outcome to an order its caller has locked in this transaction (so the row is locked
 * once), as the lifecycle table says: the new status and the facts kept, in one UPDATE, and the
 * event that tells everyone downstream, with the table's reason. An outcome that no longer applies
 * (late, repeated or overtaken) is ignored. Returns the order as it now is, or undefined when
 * ignored; the saga is the caller's to tell.
 */
export async function advanceOrder(
  tx: Tx,
  order: Order,
  outcome: Outcome,
  facts: Facts,
  metrics: OrderMetrics,
): Promise<Order | undefined> {
  const t = lifecycle[outcome];
  const verdict = judge(order.status, outcome);
  if (verdict === 'early') {
    throw new StepMissingError(
      `order ${order.orderId} is ${order.status}: ${t.on} cannot skip a step (it applies in ${t.from.join(' or ')})`,
    );
  }
  if (verdict === 'stale') return undefined;
  const moved = saveStatus(tx, order, t.to, { reason: t.reason, totalCents: facts.totalCents, currency: facts.currency });
  const event = orderEvent(t, moved, facts);
  if (event) tx.emit(event.type, order.orderId, event.data);
  // Counted once committed: a transaction that rolls back and is retried must not count twice.
  tx.afterCommit(() => {
    metrics.transitions.inc({ status: t.to });
    if (isDecided(t.to) && !isDecided(order.status)) {
      observeLatency(metrics.completion, { outcome: t.to.toLowerCase() }, (Date.now() - Date.parse(order.createdAt)) / 1000);
    }
  });
  return moved;
}
