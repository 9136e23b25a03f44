import type { Pool } from '../db/pool.js';

export interface PendingEvent {
  eventId: string;
  type: string;
  createdAt: Date;
  /** Set when the broker would not take the row: the relay passes over it until an operator republishes it. */
  parked?: { reason: string; at: Date };
}

/** The most rows one answer lists: a subject with more waiting than this is an outage, and the first ones say so. */
export const pendingLimit = 500;

/**
 * Outbox rows not yet published whose envelope's subject is this (an order id), oldest first. The
 * partial index outbox_unpublished holds only unsent rows, which the relay keeps few (it publishes
 * within a second of the commit), so no index on the subject is needed.
 */
export async function pendingFor(pool: Pool, subject: string): Promise<PendingEvent[]> {
  const { rows } = await pool.query<PendingEvent & { reason: string | null; parkedAt: Date | null }>(
    `SELECT event_id AS "eventId", type, created_at AS "createdAt", park_reason AS reason, parked_at AS "parkedAt" FROM outbox
      WHERE published_at IS NULL AND payload->>'subject' = $1 ORDER BY id LIMIT $2`,
    [subject, pendingLimit],
  );
  return rows.map(({ reason, parkedAt, ...row }) => (parkedAt ? { ...row, parked: { reason: reason ?? '', at: parkedAt } } : row));
}
