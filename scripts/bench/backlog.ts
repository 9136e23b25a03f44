/**
 * Whether an open-loop step was sustained: the backlog (orders sent − orders decided) must not grow
 * between the middle and the end of the step, every order must be accepted, and the decided rate
 * over the second half must keep up with the offered rate.
 */

export interface BacklogSample {
  /** ms since the start of the step. */
  atMs: number;
  sent: number;
  decided: number;
}

export interface BacklogVerdict {
  backlogMid: number;
  backlogEnd: number;
  growth: number;
  /** Allowed growth: 2 % of the orders offered in the second half, at least 5. */
  tolerance: number;
  /** Orders decided per second over the second half. */
  decidedRateSecondHalf: number;
  sustained: boolean;
  why: string;
}

export function judgeBacklog(rate: number, mid: BacklogSample, end: BacklogSample, failures: number): BacklogVerdict {
  const backlogMid = mid.sent - mid.decided;
  const backlogEnd = end.sent - end.decided;
  const growth = backlogEnd - backlogMid;
  const halfSec = (end.atMs - mid.atMs) / 1000;
  const tolerance = Math.max(5, 0.02 * rate * halfSec);
  const decidedRateSecondHalf = halfSec > 0 ? (end.decided - mid.decided) / halfSec : 0;
  const reasons: string[] = [];
  if (growth > tolerance) reasons.push(`backlog grew by ${growth} (> ${tolerance.toFixed(0)})`);
  if (decidedRateSecondHalf < 0.95 * rate) reasons.push(`decided ${decidedRateSecondHalf.toFixed(0)}/s < 95% of ${rate}/s`);
  if (failures > 0) reasons.push(`${failures} orders failed or timed out`);
  return {
    backlogMid,
    backlogEnd,
    growth,
    tolerance,
    decidedRateSecondHalf,
    sustained: reasons.length === 0,
    why: reasons.join('; ') || 'backlog flat',
  };
}

/** The highest offered rate whose step was sustained, or 0 when none was. */
export function highestSustained(steps: readonly { rate: number; verdict: BacklogVerdict }[]): number {
  return steps.reduce((best, s) => (s.verdict.sustained && s.rate > best ? s.rate : best), 0);
}
