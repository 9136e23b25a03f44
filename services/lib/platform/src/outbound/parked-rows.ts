import type { Pool, PoolClient } from '../db/pool.js';

/** An outbox row the broker would not take, set aside with the broker's reason (decision 0022). */
export interface ParkedRow {
  id: number;
  eventId: string;
  exchange: string;
  type: string;
  subject: string | null;
  reason: string;
  createdAt: Date;
  parkedAt: Date;
}

export interface Parking {
  id: number;
  reason: string;
}

/** The most parked rows one answer lists; the oldest first, as the relay would have sent them. */
export const parkedLimit = 500;

const parkText = `UPDATE outbox AS o SET parked_at = clock_timestamp(), park_reason = p.reason
    FROM unnest($1::bigint[], $2::text[]) AS p(id, reason) WHERE o.id = p.id AND o.published_at IS NULL`;

/** Sets rows aside: the relay's sweep passes over them until an operator republishes them. */
export function parkRows(db: Pool | PoolClient, rows: readonly Parking[]): Promise<unknown> {
  // The broker's words, bounded: a reason is for a person to read.
  return db.query(parkText, [rows.map((r) => r.id), rows.map((r) => r.reason.slice(0, 1_000))]);
}

/** Parked rows, oldest first; of one subject (an order id) when given. */
export async function parkedRows(pool: Pool, subject?: string): Promise<ParkedRow[]> {
  const { rows } = await pool.query<ParkedRow>(
    `SELECT id::float8 AS id, event_id AS "eventId", exchange, type, payload->>'subject' AS subject, park_reason AS reason,
            created_at AS "createdAt", parked_at AS "parkedAt"
       FROM outbox WHERE published_at IS NULL AND parked_at IS NOT NULL AND ($1::text IS NULL OR payload->>'subject' = $1)
      ORDER BY id LIMIT $2`,
    [subject ?? null, parkedLimit],
  );
  return rows;
}

/**
 * Hands parked rows back to the relay (all of them, or those ids): its next sweep publishes them,
 * and parks again any the broker still refuses. Returns how many were handed back.
 */
export async function unparkRows(pool: Pool, ids?: readonly number[]): Promise<number> {
  const { rowCount } = await pool.query(
    `UPDATE outbox SET parked_at = NULL, park_reason = NULL
      WHERE published_at IS NULL AND parked_at IS NOT NULL AND ($1::bigint[] IS NULL OR id = ANY($1::bigint[]))`,
    [ids ?? null],
  );
  return rowCount ?? 0;
}

/** Rows waiting to be published, and rows parked: the relay's two gauges. */
export async function outboxCounts(pool: Pool): Promise<{ pending: number; parked: number }> {
  const { rows } = await pool.query<{ pending: number; parked: number }>(
    `SELECT count(*) FILTER (WHERE parked_at IS NULL)::int AS pending, count(*) FILTER (WHERE parked_at IS NOT NULL)::int AS parked
       FROM outbox WHERE published_at IS NULL`,
  );
  return rows[0] ?? { pending: 0, parked: 0 };
}
