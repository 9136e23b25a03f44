import type { Tx } from '@orderly/platform';

export type KeyClaim = { claimed: true } | { claimed: false; orderId: string; requestHash: string };

/**
 * Claims an Idempotency-Key for a new order, or returns what it was first used for. A concurrent
 * request with the same key blocks on the insert until the first commits, then sees its claim.
 */
export async function claimIdempotencyKey(tx: Tx, key: string, requestHash: string, orderId: string): Promise<KeyClaim> {
  const inserted = await tx.query(
    'INSERT INTO idempotency_keys (key, request_hash, order_id) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING',
    [key, requestHash, orderId],
  );
  if (inserted.rowCount !== 0) return { claimed: true };
  const { rows } = await tx.query<{ orderId: string; requestHash: string }>(
    'SELECT order_id AS "orderId", request_hash AS "requestHash" FROM idempotency_keys WHERE key = $1',
    [key],
  );
  return { claimed: false, ...rows[0]! };
}
