/**
 * Open-loop schedule: order i of a run at `rate` orders/s is due at i / rate seconds after the
 * start, whatever happened to the orders before it (no coordinated omission: a slow response
 * never delays the next send, and latency is measured from this intended time).
 */

export interface Schedule {
  rate: number;
  durationMs: number;
  /** How many orders the run sends in all. */
  total: number;
}

export function schedule(rate: number, durationMs: number): Schedule {
  if (!(rate > 0)) throw new RangeError(`rate must be > 0 orders/s, got ${rate}`);
  if (!(durationMs > 0)) throw new RangeError(`duration must be > 0 ms, got ${durationMs}`);
  return { rate, durationMs, total: Math.round((rate * durationMs) / 1000) };
}

/** Intended send time of order `i` (0-based), in ms after the start. */
export function intendedOffsetMs(s: Schedule, i: number): number {
  return (i * 1000) / s.rate;
}

/** How many orders are due by `elapsedMs` after the start (order i is due once elapsed ≥ its time). */
export function dueBy(s: Schedule, elapsedMs: number): number {
  if (elapsedMs < 0) return 0;
  return Math.min(s.total, Math.floor((elapsedMs * s.rate) / 1000 + 1e-9) + 1);
}

/** Milliseconds from `elapsedMs` until the next order after the first `sent` is due (0 if overdue). */
export function msUntilNext(s: Schedule, sent: number, elapsedMs: number): number {
  if (sent >= s.total) return Number.POSITIVE_INFINITY;
  return Math.max(0, intendedOffsetMs(s, sent) - elapsedMs);
}
