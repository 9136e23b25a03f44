import type { Tx } from '@orderly/platform';
import { type DeadLetterFilter, whereOf } from './dead-letter-filter.js';

/** Which parked rows an action takes: these ids, or every one matching a filter. */
export type Chosen = { ids: string[] } | { filter: DeadLetterFilter };
/** ...recorded before the action began: a redriven message that fails again is parked anew, and
 * must not be taken again by the same redrive. */
export type Selection = Chosen & { recordedBy: Date };

/** A pool or a transaction: where a statement runs. */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<unknown>;
}

/** What a redrive publishes, and what its audit event says. */
export interface Redrivable {
  id: string;
  queue: string;
  messageId: string | null;
  type: string | null;
  orderId: string | null;
  publishedBy: string | null;
  headers: Record<string, unknown>;
  body: Buffer;
  /** The redrive count after this redrive. */
  redrives: number;
}

/** What a discard's audit event says. */
export type Acted = Pick<Redrivable, 'id' | 'queue' | 'messageId' | 'type' | 'orderId'>;

const returning = `RETURNING id, queue, message_id AS "messageId", type, order_id AS "orderId"`;

/** Parked rows of the selection, oldest first, at most limit, locked for this transaction (others skip them).
 * `whole`: only rows that kept their whole body (a preview of a message too large is never sent as the message). */
function selected(selection: Selection, limit: number, params: unknown[], whole = false): string {
  const where = 'ids' in selection ? `id = ANY($${params.push(selection.ids)}::uuid[])` : whereOf(selection.filter, params);
  return `SELECT id FROM dead_letters WHERE status = 'parked' AND recorded_at <= $${params.push(selection.recordedBy)} AND ${where}
          ${whole ? 'AND octet_length(body) = body_bytes' : ''}
          ORDER BY failed_at, id LIMIT $${params.push(limit)} FOR UPDATE SKIP LOCKED`;
}

/**
 * parked → redriving for up to `limit` rows of the selection, in the caller's transaction (which
 * also emits the operator-action events): once it commits, the redrive will be published even if
 * this process dies (resumeRedrives). A row another redrive or discard holds is skipped.
 */
export async function startRedrives(tx: Tx, selection: Selection, operator: string, reason: string | undefined, limit: number) {
  const params: unknown[] = [operator, reason ?? null];
  const { rows } = await tx.query<Redrivable>(
    `UPDATE dead_letters SET status = 'redriving', status_at = now(), redrives = redrives + 1, resolved_by = $1, reason = $2
     WHERE id IN (${selected(selection, limit, params, true)})
     ${returning}, published_by AS "publishedBy", headers, body, redrives`,
    params,
  );
  return rows;
}

/** redriving → redriven once the broker confirmed the copy. */
export async function finishRedrive(db: Queryable, id: string): Promise<void> {
  await db.query(
    `UPDATE dead_letters SET status = 'redriven', status_at = now(), resolved_at = now() WHERE id = $1 AND status = 'redriving'`,
    [id],
  );
}

/**
 * Redrives left half-done for longer than olderThanS (their process died, or the broker refused
 * the copy), locked for the caller's transaction so two consoles never resume the same one.
 */
export async function stalledRedrives(tx: Tx, olderThanS: number, limit: number): Promise<Redrivable[]> {
  const { rows } = await tx.query<Redrivable>(
    `SELECT id, queue, message_id AS "messageId", type, order_id AS "orderId", published_by AS "publishedBy", headers, body, redrives
     FROM dead_letters WHERE status = 'redriving' AND status_at < now() - make_interval(secs => $1)
     ORDER BY status_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [olderThanS, limit],
  );
  return rows;
}

/** parked → discarded for up to `limit` rows of the selection, in the caller's transaction. */
export async function discardParked(tx: Tx, selection: Selection, operator: string, reason: string, limit: number): Promise<Acted[]> {
  const params: unknown[] = [operator, reason];
  const { rows } = await tx.query<Acted>(
    `UPDATE dead_letters SET status = 'discarded', status_at = now(), resolved_at = now(), resolved_by = $1, reason = $2
     WHERE id IN (${selected(selection, limit, params)})
     ${returning}`,
    params,
  );
  return rows;
}
