import { backoffDelay } from '@orderly/platform';

/** What becomes of an email after an attempt. Pure: the sender does the I/O. */

export interface RetryPolicy {
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
}

export type Outcome = { status: 'sent' } | { status: 'pending'; delayMs: number; error: string } | { status: 'parked'; error: string };

/** An SMTP 5xx reply (a refused recipient, a rejected message) will not change by trying again. */
export function isPermanent(err: unknown): boolean {
  const code = (err as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

/**
 * The reason stored with the row and shown to operators: the server's reply, one line, bounded.
 * A reply is the remote server's text: control characters (a NUL would fail the commit) become spaces.
 */
export function reasonOf(err: unknown): string {
  const e = err as { responseCode?: unknown; response?: unknown; message?: unknown } | null;
  const text = typeof e?.response === 'string' && e.response !== '' ? e.response : String(e?.message ?? err);
  const code = typeof e?.responseCode === 'number' && !text.startsWith(String(e.responseCode)) ? `${e.responseCode} ` : '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  return `${code}${text}`.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 1000);
}

/** After attempt number `attempt` (1-based) failed with err: wait and try again, or park. */
export function afterFailure(attempt: number, err: unknown, policy: RetryPolicy, random = Math.random): Outcome {
  const error = reasonOf(err);
  if (isPermanent(err) || attempt >= policy.maxAttempts) return { status: 'parked', error };
  return { status: 'pending', delayMs: backoffDelay(attempt, policy.baseMs, policy.maxMs, random), error };
}
