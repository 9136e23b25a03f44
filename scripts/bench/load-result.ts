/** What one load step (closed or open loop) records per order, and its summary. */
import type { BacklogVerdict } from './backlog.ts';
import type { Outcome } from './completions.ts';
import { type LatencySummary, summarize } from './percentiles.ts';

export interface OrderRecord {
  /** performance.now() ms: when the order was meant to be sent (open loop) or was sent (closed loop). */
  intendedMs: number;
  acceptedMs?: number;
  decidedMs?: number;
  outcome: Outcome | 'http_error';
  /** Dispatch − intended (open loop: how late the bench itself was). */
  sendLagMs?: number;
}

export interface LoadSummary {
  kind: 'closed' | 'open';
  concurrency?: number;
  offeredRate?: number;
  durationSec: number;
  sent: number;
  accepted: number;
  confirmed: number;
  rejected: number;
  httpErrors: number;
  timedOut: number;
  /** 202s received within the window ÷ window. */
  acceptedPerSec: number;
  /** Decisions received within the window ÷ window (end to end throughput). */
  completedPerSec: number;
  /** ms, decided − intended, orders sent in the window and decided (after the drain too). */
  latencyMs: LatencySummary;
  /** ms, 202 − intended. */
  acceptLatencyMs: LatencySummary;
  sendLagMs?: LatencySummary;
  backlog?: BacklogVerdict;
}

export function summarizeLoad(
  base: Pick<LoadSummary, 'kind' | 'concurrency' | 'offeredRate'>,
  records: readonly OrderRecord[],
  startMs: number,
  endMs: number,
): LoadSummary {
  const within = (t: number | undefined) => t !== undefined && t >= startMs && t <= endMs;
  const durationSec = (endMs - startMs) / 1000;
  const decided = records.filter((r) => r.decidedMs !== undefined && (r.outcome === 'confirmed' || r.outcome === 'rejected'));
  const lags = records.map((r) => r.sendLagMs).filter((v): v is number => v !== undefined);
  return {
    ...base,
    durationSec,
    sent: records.length,
    accepted: records.filter((r) => r.acceptedMs !== undefined).length,
    confirmed: records.filter((r) => r.outcome === 'confirmed').length,
    rejected: records.filter((r) => r.outcome === 'rejected').length,
    httpErrors: records.filter((r) => r.outcome === 'http_error').length,
    timedOut: records.filter((r) => r.outcome === 'timeout').length,
    acceptedPerSec: records.filter((r) => within(r.acceptedMs)).length / durationSec,
    completedPerSec: decided.filter((r) => within(r.decidedMs)).length / durationSec,
    latencyMs: summarize(decided.map((r) => (r.decidedMs as number) - r.intendedMs)),
    acceptLatencyMs: summarize(records.filter((r) => r.acceptedMs !== undefined).map((r) => (r.acceptedMs as number) - r.intendedMs)),
    ...(lags.length ? { sendLagMs: summarize(lags) } : {}),
  };
}
