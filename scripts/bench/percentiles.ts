/** Latency percentiles over raw samples (no histogram, no estimation): nearest-rank method. */

export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/**
 * The nearest-rank quantile of ascending `sorted` values: the smallest sample such that at least
 * q of all samples are ≤ it (p99 of 100 samples is the 99th smallest). NaN when there are none.
 */
export function quantile(sorted: readonly number[], q: number): number {
  if (q < 0 || q > 1) throw new RangeError(`quantile must be within [0, 1], got ${q}`);
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1] as number;
}

/** count, mean, p50/p95/p99 and max of the samples (in their own unit). */
export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  const values = Array.from(sorted);
  let total = 0;
  for (const v of values) total += v;
  return {
    count: values.length,
    mean: values.length ? total / values.length : Number.NaN,
    p50: quantile(values, 0.5),
    p95: quantile(values, 0.95),
    p99: quantile(values, 0.99),
    max: values.length ? (values[values.length - 1] as number) : Number.NaN,
  };
}
