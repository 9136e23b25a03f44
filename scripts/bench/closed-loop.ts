/**
 * Closed loop: `concurrency` virtual clients, each placing an order and waiting for its decision
 * before placing the next, for a fixed duration; the orders in flight at the end are drained.
 */
import type { CompletionWatcher } from './completions.ts';
import { type LoadSummary, type OrderRecord, summarizeLoad } from './load-result.ts';
import type { OrderClient } from './order-client.ts';
import { placeAndAwait } from './place-and-await.ts';

export interface ClosedLoopOptions {
  concurrency: number;
  durationMs: number;
  decisionTimeoutMs: number;
  onTick?: (sent: number, decided: number) => void;
}

export async function runClosedLoop(client: OrderClient, watcher: CompletionWatcher, o: ClosedLoopOptions): Promise<LoadSummary> {
  const records: OrderRecord[] = [];
  let decided = 0;
  const startMs = performance.now();
  const endMs = startMs + o.durationMs;
  const worker = async () => {
    while (performance.now() < endMs) {
      const r: OrderRecord = { intendedMs: performance.now(), outcome: 'timeout' };
      records.push(r);
      if (!(await placeAndAwait(client, watcher, r, o.decisionTimeoutMs))) {
        await new Promise((res) => setTimeout(res, 20)); // no hot loop against a failing service
        continue;
      }
      if (r.decidedMs !== undefined) decided += 1;
    }
  };
  const ticker = setInterval(() => o.onTick?.(records.length, decided), 250);
  try {
    await Promise.all(Array.from({ length: o.concurrency }, worker));
  } finally {
    clearInterval(ticker);
  }
  return summarizeLoad({ kind: 'closed', concurrency: o.concurrency }, records, startMs, endMs);
}
