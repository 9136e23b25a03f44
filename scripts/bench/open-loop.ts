/**
 * Open loop: orders sent on a fixed schedule whatever the responses (rate-schedule.ts), latency
 * measured from each order's intended send time, so a stall shows as latency instead of hiding
 * as fewer requests (coordinated omission). The backlog is sampled at the middle and the end.
 */
import { type BacklogSample, judgeBacklog } from './backlog.ts';
import type { CompletionWatcher } from './completions.ts';
import { type LoadSummary, type OrderRecord, summarizeLoad } from './load-result.ts';
import type { OrderClient } from './order-client.ts';
import { placeAndAwait } from './place-and-await.ts';
import { dueBy, intendedOffsetMs, msUntilNext, schedule } from './rate-schedule.ts';

export interface OpenLoopOptions {
  rate: number;
  durationMs: number;
  decisionTimeoutMs: number;
  onTick?: (sent: number, decided: number) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runOpenLoop(client: OrderClient, watcher: CompletionWatcher, o: OpenLoopOptions): Promise<LoadSummary> {
  const s = schedule(o.rate, o.durationMs);
  const records: OrderRecord[] = [];
  const inflight: Promise<void>[] = [];
  let decided = 0;
  const one = async (r: OrderRecord) => {
    if ((await placeAndAwait(client, watcher, r, o.decisionTimeoutMs)) && r.decidedMs !== undefined) decided += 1;
  };
  const t0 = performance.now();
  const sample = (): BacklogSample => ({ atMs: performance.now() - t0, sent: records.length, decided });
  let mid: BacklogSample | undefined;
  const ticker = setInterval(() => o.onTick?.(records.length, decided), 250);
  try {
    while (records.length < s.total) {
      const due = dueBy(s, performance.now() - t0);
      while (records.length < due) {
        const intendedMs = t0 + intendedOffsetMs(s, records.length);
        const r: OrderRecord = { intendedMs, outcome: 'timeout', sendLagMs: performance.now() - intendedMs };
        records.push(r);
        inflight.push(one(r));
      }
      if (!mid && performance.now() - t0 >= o.durationMs / 2) mid = sample();
      const wait = msUntilNext(s, records.length, performance.now() - t0);
      if (Number.isFinite(wait)) await sleep(wait);
    }
    // The last order is due at (total − 1) / rate: wait out the step's full duration.
    await sleep(Math.max(0, t0 + o.durationMs - performance.now()));
    const end = sample();
    const endMs = performance.now();
    await Promise.all(inflight);
    const summary = summarizeLoad({ kind: 'open', offeredRate: o.rate }, records, t0, endMs);
    const failures = summary.httpErrors + summary.timedOut;
    return { ...summary, backlog: judgeBacklog(o.rate, mid ?? end, end, failures) };
  } finally {
    clearInterval(ticker);
  }
}
