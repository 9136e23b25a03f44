import { randomUUID } from 'node:crypto';
import type { Pool, Tx } from '@orderly/platform';
import type { Position } from '../domain/cursor.js';
import type { ParkedFacts, ParkedMessage } from '../domain/parked-message.js';
import { type DeadLetterFilter, type DeadLetterStatus, whereOf } from './dead-letter-filter.js';

/** A row as the API shows it in a list (a type, not an interface: the pages take it as a plain record). */
export type DeadLetter = ParkedFacts & {
  id: string;
  failedAt: string;
  recordedAt: string;
  status: DeadLetterStatus;
  redrives: number;
  resolvedBy: string | null;
  resolvedAt: string | null;
  reason: string | null;
};

/** One row in full: what the message carried. */
export type DeadLetterDetail = DeadLetter & {
  headers: Record<string, unknown>;
  body: Buffer;
  /** The body's size as delivered: larger than body when only a preview was kept. */
  bodyBytes: number;
};

const listColumns = `id, queue, message_id, type, order_id, error, attempts, published_by, failed_at, recorded_at, status,
  redrives, resolved_by, resolved_at, reason`;

interface Row {
  id: string;
  queue: string;
  message_id: string | null;
  type: string | null;
  order_id: string | null;
  error: string;
  attempts: number | null;
  published_by: string | null;
  failed_at: Date;
  recorded_at: Date;
  status: DeadLetterStatus;
  redrives: number;
  resolved_by: string | null;
  resolved_at: Date | null;
  reason: string | null;
}

const toDeadLetter = (r: Row): DeadLetter => ({
  id: r.id,
  queue: r.queue,
  messageId: r.message_id,
  type: r.type,
  orderId: r.order_id,
  error: r.error,
  attempts: r.attempts,
  publishedBy: r.published_by,
  failedAt: r.failed_at.toISOString(),
  recordedAt: r.recorded_at.toISOString(),
  status: r.status,
  redrives: r.redrives,
  resolvedBy: r.resolved_by,
  resolvedAt: r.resolved_at?.toISOString() ?? null,
  reason: r.reason,
});

/** Records a parked message once: the new row's id, or undefined when this delivery was recorded before. */
export async function insertDeadLetter(db: Pick<Tx, 'query'>, m: ParkedMessage): Promise<string | undefined> {
  const id = randomUUID();
  const { rowCount } = await db.query(
    `INSERT INTO dead_letters (id, delivery_key, queue, message_id, type, order_id, error, attempts, published_by, failed_at,
       headers, body, redrives, body_bytes)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT (delivery_key) DO NOTHING`,
    [
      id,
      m.deliveryKey,
      m.queue,
      m.messageId,
      m.type,
      m.orderId,
      m.error,
      m.attempts,
      m.publishedBy,
      m.failedAt,
      JSON.stringify(m.headers),
      m.body,
      m.redrives,
      m.bodyBytes,
    ],
  );
  return rowCount === 1 ? id : undefined;
}

/** Rows matching the filter, newest first, after a position; one more than the limit tells whether a next page exists. */
export async function searchDeadLetters(
  pool: Pool,
  filter: DeadLetterFilter,
  limit: number,
  after?: Position,
): Promise<{ items: DeadLetter[]; next?: Position }> {
  const params: unknown[] = [];
  let where = whereOf(filter, params);
  if (after) where += ` AND (failed_at, id) < ($${params.push(after.failedAt)}, $${params.push(after.id)})`;
  const { rows } = await pool.query<Row>(
    `SELECT ${listColumns} FROM dead_letters WHERE ${where} ORDER BY failed_at DESC, id DESC LIMIT $${params.push(limit + 1)}`,
    params,
  );
  const items = rows.slice(0, limit).map(toDeadLetter);
  const last = items.at(-1);
  return rows.length > limit && last ? { items, next: { failedAt: last.failedAt, id: last.id } } : { items };
}

export async function deadLetterById(pool: Pool, id: string): Promise<DeadLetterDetail | undefined> {
  const { rows } = await pool.query<Row & { headers: Record<string, unknown>; body: Buffer; body_bytes: string }>(
    `SELECT ${listColumns}, headers, body, body_bytes FROM dead_letters WHERE id = $1`,
    [id],
  );
  const row = rows[0];
  return row ? { ...toDeadLetter(row), headers: row.headers, body: row.body, bodyBytes: Number(row.body_bytes) } : undefined;
}

/** Rows per queue and status: the gauge's values. */
export async function countsByQueueAndStatus(pool: Pool): Promise<{ queue: string; status: DeadLetterStatus; count: number }[]> {
  const { rows } = await pool.query<{ queue: string; status: DeadLetterStatus; count: number }>(
    'SELECT queue, status, count(*)::int AS count FROM dead_letters GROUP BY queue, status',
  );
  return rows;
}

/** The database's clock: what recorded_at is compared with. */
export async function databaseNow(pool: Pool): Promise<Date> {
  const { rows } = await pool.query<{ now: Date }>('SELECT now() AS now');
  return rows[0]!.now;
}
