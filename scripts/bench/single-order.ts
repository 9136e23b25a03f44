/**
 * End-to-end latency of a single order on an idle stack: orders placed one at a time, each only
 * after the previous one was decided and a pause has let the stack go quiet again, so no order
 * shares the stack with another. Latency is the request's send time → the terminal event delivered
 * to the bench (the same as the load steps').
 */
import type { CompletionWatcher } from './completions.ts';
import type { OrderRecord } from './load-result.ts';
import type { OrderClient } from './order-client.ts';
import { type LatencySummary, summarize } from './percentiles.ts';
import { placeAndAwait } from './place-and-await.ts';

export interface SingleOrderOptions {
  count: number;
  /** Pause after each decision before the next order. */
  pauseMs: number;
  decisionTimeoutMs: number;
  onTick?: (sent: number) => void;
}

export interface SingleOrderResult {
  count: number;
  decided: number;
  /** Orders refused over HTTP or not decided within the timeout. */
  failed: number;
  pauseMs: number;
  /** ms, send → decision delivered, of the decided orders. */
  latencyMs: LatencySummary;
  /** ms, send → 202 read. */
  acceptMs: LatencySummary;
}

/** Pure: the summary of the orders' records. */
export function summarizeSingleOrders(records: readonly OrderRecord[], pauseMs: number): SingleOrderResult {
  const decided = records.filter((r) => r.decidedMs !== undefined && (r.outcome === 'confirmed' || r.outcome === 'rejected'));
  const accepted = records.filter((r) => r.acceptedMs !== undefined);
  return {
    count: records.length,
    decided: decided.length,
    failed: records.length - decided.length,
    pauseMs,
    latencyMs: summarize(decided.map((r) => (r.decidedMs as number) - r.intendedMs)),
    acceptMs: summarize(accepted.map((r) => (r.acceptedMs as number) - r.intendedMs)),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runSingleOrders(client: OrderClient, watcher: CompletionWatcher, o: SingleOrderOptions): Promise<SingleOrderResult> {
  const records: OrderRecord[] = [];
  for (let i = 0; i < o.count; i++) {
    await sleep(o.pauseMs);
    o.onTick?.(i);
    const r: OrderRecord = { intendedMs: performance.now(), outcome: 'timeout' };
    records.push(r);
    await placeAndAwait(client, watcher, r, o.decisionTimeoutMs);
  }
  return summarizeSingleOrders(records, o.pauseMs);
}
