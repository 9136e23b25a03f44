/**
 * The peer's published figures: the comparable Python implementation of the same pipeline (FastAPI +
 * pika, outbox polled every 0.5 s, four services, classic queues), measured side by side on this
 * 2-core machine under one load driver, alternating runs. Source: the published side-by-side comparison, which replaced
 * the earlier figures. The report prints them beside Orderly's; they are
 * constants, not measured by this bench.
 */
export const peer = {
  name: 'peer (Python: FastAPI + pika, 4 services)',
  /** Highest open-loop rate it sustains, orders/s; it cannot sustain 100/s. */
  sustainedPerSec: 50,
  /** p99 placed → decided at 50 orders/s, ms. */
  p99At50Ms: 570,
  /** Machine CPU per order at 50 orders/s, ms. */
  machineCpuMsPerOrderAt50: 21,
  sustains100: false,
} as const;
