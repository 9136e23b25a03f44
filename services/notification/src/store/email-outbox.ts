import type { Pool, Tx } from '@orderly/platform';
import type { Outcome } from '../domain/email-delivery.js';

/** The notifications table as the email's outbox (migration 003, decision 0028). */

export interface DueEmail {
  id: string;
  orderId: string;
  email: string;
  subject: string;
  body: string;
  attempts: number;
  traceContext: Record<string, string> | null;
}

/**
 * Locks up to `limit` due emails, oldest due first, skipping rows another sender holds (two
 * replicas never send one row), and says when the next one not yet due is due. The locks last
 * until the transaction that records the outcomes commits.
 */
export async function claimDue(tx: Tx, limit: number): Promise<{ due: DueEmail[]; nextInMs: number | undefined }> {
  const { rows } = await tx.query<DueEmail & { id: string | null; nextInMs: number | null }>(
    `WITH due AS (
       SELECT id, order_id, email, subject, body, attempts, trace_context, next_attempt_at FROM notifications
        WHERE status = 'pending' AND next_attempt_at <= now()
        ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
     SELECT d.id::text AS id, d.order_id AS "orderId", d.email, d.subject, d.body, d.attempts, d.trace_context AS "traceContext",
            extract(epoch FROM n.next - clock_timestamp()) * 1000 AS "nextInMs"
       FROM (SELECT min(next_attempt_at) AS next FROM notifications WHERE status = 'pending' AND next_attempt_at > now()) n
       LEFT JOIN due d ON true ORDER BY d.next_attempt_at`,
    [limit],
  );
  const next = rows[0]?.nextInMs;
  return {
    due: rows.filter((r): r is DueEmail & { nextInMs: number | null } => r.id !== null).map(({ nextInMs: _, ...due }) => due),
    nextInMs: next === null || next === undefined ? undefined : Number(next),
  };
}

/** Records what each attempt came to, with the commit (the locks are held until then). */
export function recordOutcomes(tx: Tx, attempted: readonly { id: string; outcome: Outcome }[]): void {
  const sent = attempted.filter((a) => a.outcome.status === 'sent').map((a) => a.id);
  if (sent.length > 0) {
    tx.queueForCommit(
      `UPDATE notifications SET status = 'sent', sent_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = ANY($1::uuid[])`,
      [sent],
    );
  }
  const failed = attempted.flatMap(({ id, outcome }) =>
    outcome.status === 'sent'
      ? []
      : [{ id, status: outcome.status, error: outcome.error, delayMs: outcome.status === 'pending' ? outcome.delayMs : 0 }],
  );
  if (failed.length > 0) {
    tx.queueForCommit(
      `UPDATE notifications n SET attempts = n.attempts + 1, status = f.status, last_error = f.error,
              next_attempt_at = clock_timestamp() + f.delay_ms * interval '1 millisecond'
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[]) AS f(id, status, error, delay_ms) WHERE n.id = f.id`,
      [failed.map((f) => f.id), failed.map((f) => f.status), failed.map((f) => f.error), failed.map((f) => f.delayMs)],
    );
  }
}

/** The parked emails, newest first: what an operator decides about. */
export async function parkedEmails(pool: Pool, limit: number): Promise<unknown[]> {
  const { rows } = await pool.query(
    `SELECT id, order_id AS "orderId", customer_id AS "customerId", email, kind, subject, attempts,
            last_error AS "lastError", created_at AS "createdAt", next_attempt_at AS "parkedAt"
       FROM notifications WHERE status = 'parked' ORDER BY created_at DESC LIMIT $1`,
    [limit],
  );
  return rows;
}

/** Puts a parked email back to be sent now with its attempts renewed; false when no parked email has this id. */
export async function retryParked(pool: Pool, id: string): Promise<boolean> {
  const { rowCount } = await pool.query(
    `UPDATE notifications SET status = 'pending', attempts = 0, next_attempt_at = now() WHERE id = $1 AND status = 'parked'`,
    [id],
  );
  return rowCount === 1;
}

/** What the backlog gauges show: the age of the oldest email still to be sent, and how many are parked. */
export async function backlog(pool: Pool): Promise<{ oldestPendingSeconds: number; parked: number }> {
  const { rows } = await pool.query<{ oldest: number | null; parked: string }>(
    `SELECT extract(epoch FROM now() - min(created_at) FILTER (WHERE status = 'pending')) AS oldest,
            count(*) FILTER (WHERE status = 'parked') AS parked
       FROM notifications WHERE status IN ('pending', 'parked')`,
  );
  return { oldestPendingSeconds: Number(rows[0]?.oldest ?? 0), parked: Number(rows[0]?.parked ?? 0) };
}
