/**
 * Exponential back-off with "equal jitter": attempt 1 waits between base/2 and base, each further attempt doubles
 * the ceiling, capped. Jitter spreads retries of many messages that failed together.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
