import type { Tx } from '@orderly/platform';
import { type OrderFact, project } from '../domain/history.js';
import { insertEntry, lockEntry, updateEntry } from '../store/history-store.js';
import { ensureProfile } from '../store/profile-store.js';

/** Folds one order event into the customer's history, and makes the profile of a customer not seen before. */
export async function recordOrderEvent(fact: OrderFact, email: string, tx: Tx): Promise<void> {
  await ensureProfile(tx, fact.customerId, email);
  let current = await lockEntry(tx, fact.orderId);
  if (!current) {
    if (await insertEntry(tx, project(undefined, fact))) return;
    // Another event of the same order got there first: fold into its row instead.
    current = await lockEntry(tx, fact.orderId);
  }
  await updateEntry(tx, project(current, fact));
}
