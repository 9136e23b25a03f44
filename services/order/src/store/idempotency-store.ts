import type { Tx } from '@orderly/platform';

export type KeyClaim = { claimed: true } | { claimed: false; orderId: string; requestHash: string };

/** The table and age that expire keys (IDEMPOTENCY_KEY_RETENTION_HOURS), for the platform's pruner. */
export const idempotencyKeyRetention = (retentionHours: number) => ({ table: 'idempotency_keys', column: 'created_at', retentionHours });

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
  retentionHours: number,
): Promise<KeyClaim> {
  // A key past its retention is free again even before the pruner has deleted it: it is claimed anew.
  const inserted = await tx.query(
    `INSERT INTO idempotency_keys (customer_id, key, request_hash, order_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (customer_id, key) DO UPDATE
         SET request_hash = EXCLUDED.request_hash, order_id = EXCLUDED.order_id, created_at = now()
       WHERE idempotency_keys.created_at < now() - make_interval(hours => $5::int)`,
    [customerId, key, requestHash, orderId, retentionHours],
  );
  if (inserted.rowCount !== 0) return { claimed: true };
  const { rows } = await tx.query<{ orderId: string; requestHash: string }>(
    'SELECT order_id AS "orderId", request_hash AS "requestHash" FROM idempotency_keys WHERE customer_id = $1 AND key = $2',
    [customerId, key],
  );
  return { claimed: false, ...rows[0]! };
}
