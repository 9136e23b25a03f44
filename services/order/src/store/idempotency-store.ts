import type { Tx } from '@orderly/platform';

export type KeyClaim = { claimed: true } | { claimed: false; orderId: string; requestHash: string };

/**
 * Claims a customer's Idempotency-Key for a new order, or returns what it was first used for. A
 * concurrent request with the same key blocks on the insert until the first commits, then sees its
 * claim. Keys are per customer: another customer's key is never seen.
 */
export async function claimIdempotencyKey(
  tx: Tx,
  customerId: string,
  key: string,
  requestHash: string,
  orderId: string,
): Promise<KeyClaim> {
  const inserted = await tx.query(
    `INSERT INTO idempotency_keys (customer_id, key, request_hash, order_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (customer_id, key) DO NOTHING`,
    [customerId, key, requestHash, orderId],
  );
  if (inserted.rowCount !== 0) return { claimed: true };
  const { rows } = await tx.query<{ orderId: string; requestHash: string }>(
    'SELECT order_id AS "orderId", request_hash AS "requestHash" FROM idempotency_keys WHERE customer_id = $1 AND key = $2',
    [customerId, key],
  );
  return { claimed: false, ...rows[0]! };
}
