import { type Tx, TxLocal } from '@orderly/platform';
import { type HistoryEntry, type OrderFact, project } from '../domain/history.js';
import { lockOrCreateEntry, queueEntry, sameEntry } from '../store/history-store.js';
import { queueProfile } from '../store/profile-store.js';

/**
 * What one transaction (a batch of the stream, or of the queue) holds: each order's entry, locked
 * on its first event and then as the events folded so far leave it (their writes wait for the
 * commit), and the customers whose profile it has ensured. So a batch costs one round trip per
 * order, not three per event. Promises, so an event that came while its order's lock was still
 * on its way folds after it.
 */
const held = new TxLocal(() => ({ entries: new Map<string, Promise<HistoryEntry>>(), profiles: new Set<string>() }));

/** Folds one order event into the customer's history, and makes the profile of a customer not seen before. */
export async function recordOrderEvent(fact: OrderFact, email: string, tx: Tx): Promise<void> {
  const { entries, profiles } = tx.local(held);
  if (!profiles.has(fact.customerId)) {
    profiles.add(fact.customerId);
    // No foreign key ties an entry to its profile; the two become visible together, at the commit.
    queueProfile(tx, fact.customerId, email);
  }
  const before = entries.get(fact.orderId);
  const after = before ? before.then((current) => fold(tx, current, fact)) : firstOf(tx, fact);
  entries.set(fact.orderId, after);
  await after;
}

/** The first event of an order in this transaction: locks its entry, or creates it from this event. */
async function firstOf(tx: Tx, fact: OrderFact): Promise<HistoryEntry> {
  const { entry, created } = await lockOrCreateEntry(tx, project(undefined, fact));
  return created ? entry : fold(tx, entry, fact);
}

function fold(tx: Tx, current: HistoryEntry, fact: OrderFact): HistoryEntry {
  const next = project(current, fact);
  if (!sameEntry(current, next)) queueEntry(tx, next);
  return next;
}
