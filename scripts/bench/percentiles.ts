/** Latency percentiles over every sample of a step, from an HDR histogram (3 significant digits). */
import * as hdr from 'hdr-histogram-js';

export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/**
 * count, mean, p50/p95/p99 and max of samples in ms, each within 0.1 % (the histogram records whole
 * microseconds; a percentile is the top of the bucket that holds it). NaN when there are none.
 */
export function summarize(samplesMs: readonly number[]): LatencySummary {
  if (samplesMs.length === 0) return { count: 0, mean: Number.NaN, p50: Number.NaN, p95: Number.NaN, p99: Number.NaN, max: Number.NaN };
  const h = hdr.build({ autoResize: true, numberOfSignificantValueDigits: 3 });
  try {
    for (const ms of samplesMs) h.recordValue(Math.max(0, Math.round(ms * 1000)));
    const ms = (us: number) => us / 1000;
    return {
      count: h.totalCount,
      mean: ms(h.mean),
      p50: ms(h.getValueAtPercentile(50)),
      p95: ms(h.getValueAtPercentile(95)),
      p99: ms(h.getValueAtPercentile(99)),
      max: ms(h.maxValue),
    };
  } finally {
    h.destroy();
  }
}
