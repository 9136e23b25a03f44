/**
 * Thrown by a handler whose message needs another that has not arrived yet (the order event that
 * names the customer a refund is for): like a database outage, it waits and comes back without
 * spending an attempt (decision 0010).
 */
export class NotYetError extends Error {
  override name = 'NotYetError';
}
