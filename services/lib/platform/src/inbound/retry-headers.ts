import { orderlyHeaders } from '@orderly/events';

/** The headers the consumer writes on the copies it forwards (retry, dead letter), and how it reads them back. */
export const attemptHeader = orderlyHeaders.attempt;
export const errorHeader = orderlyHeaders.error;
/** On a retried copy (published by the consumer itself): the broker user that published the original. */
export const publishedByHeader = orderlyHeaders.publishedBy;
/** When a message first waited for one it needs (NotYetError): the wait is bounded from there. */
export const waitingSinceHeader = orderlyHeaders.waitingSince;

/** The attempt a header claims, as a whole number from 1 to max; anything else counts as the first. */
export function attemptOf(value: unknown, max: number): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^[0-9]{1,9}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) return 1;
  return Math.min(n, max);
}

/** A waiting-since time from our own retry copy: a past epoch in ms, else now. */
export function sinceOr(value: unknown, now: number): number {
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isSafeInteger(n) && n > 0 && n <= now ? n : now;
}
