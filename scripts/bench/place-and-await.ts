import type { CompletionWatcher } from './completions.ts';
import type { OrderRecord } from './load-result.ts';
import type { OrderClient } from './order-client.ts';

/**
 * One order, as both load loops send it: place it, then wait for its decision, filling in the
 * record. Returns whether the order was placed at all (false: the HTTP request failed).
 */
export async function placeAndAwait(client: OrderClient, watcher: CompletionWatcher, r: OrderRecord, timeoutMs: number): Promise<boolean> {
  const placed = await client.place();
  if (!placed.orderId) {
    r.outcome = 'http_error';
    return false;
  }
  r.acceptedMs = placed.atMs;
  const d = await watcher.waitFor(placed.orderId, timeoutMs);
  r.outcome = d.outcome;
  if (d.outcome !== 'timeout') r.decidedMs = d.atMs;
  return true;
}
