import type { Pool, Tx } from '@orderly/platform';
import type { TimerKind } from '../domain/shipment.js';

export interface TimerRow {
  id: string;
  shipmentId: string;
  orderId: string;
  kind: TimerKind;
  causeId: string;
}

/** Told, after the commit, that a timer is due in delayMs (the worker's wait ends by then). */
export type TimerScheduled = (delayMs: number) => void;

const timerColumns = `id::text AS id, shipment_id AS "shipmentId", order_id AS "orderId", kind, cause_id AS "causeId"`;

export async function scheduleTimer(
  tx: Tx,
  timer: { shipmentId: string; orderId: string; kind: TimerKind; delayMs: number; causeId: string },
  scheduled?: TimerScheduled,
): Promise<void> {
  // The worker learns the new due time once it is committed, instead of polling for it.
  if (scheduled) tx.afterCommit(() => scheduled(timer.delayMs));
  await tx.query(
    `INSERT INTO timers (shipment_id, order_id, kind, due_at, cause_id)
     VALUES ($1, $2, $3, clock_timestamp() + $4 * interval '1 millisecond', $5)`,
    [timer.shipmentId, timer.orderId, timer.kind, timer.delayMs, timer.causeId],
  );
}

/** Locks one timer for firing, unless another replica holds it or has already fired it. */
export async function claimTimer(tx: Tx, id: string): Promise<TimerRow | undefined> {
  const { rows } = await tx.query<TimerRow>(`SELECT ${timerColumns} FROM timers WHERE id = $1 FOR UPDATE SKIP LOCKED`, [id]);
  return rows[0];
}

export async function deleteTimer(tx: Tx, id: string): Promise<void> {
  await tx.query('DELETE FROM timers WHERE id = $1', [id]);
}

export async function deleteTimersOf(tx: Tx, shipmentId: string): Promise<void> {
  await tx.query('DELETE FROM timers WHERE shipment_id = $1', [shipmentId]);
}

export interface DueTimer {
  id: string;
  orderId: string;
  causeId: string;
}

/** Timers due now, oldest first (not locked: each is claimed when fired), and when the next one is due. */
export async function dueTimers(pool: Pool, limit: number): Promise<{ due: DueTimer[]; nextInMs: number | undefined }> {
  const { rows } = await pool.query<DueTimer & { id: string | null; nextInMs: number | null }>(
    `SELECT d.id, d."orderId", d."causeId", extract(epoch FROM n.next - clock_timestamp()) * 1000 AS "nextInMs"
       FROM (SELECT min(due_at) AS next FROM timers WHERE due_at > now()) n
       LEFT JOIN LATERAL (SELECT id::text AS id, order_id AS "orderId", cause_id AS "causeId" FROM timers
                           WHERE due_at <= now() ORDER BY due_at, id LIMIT $1) d ON true`,
    [limit],
  );
  const next = rows[0]?.nextInMs;
  return {
    due: rows
      .filter((r): r is DueTimer & { nextInMs: number | null } => r.id !== null)
      .map(({ id, orderId, causeId }) => ({ id, orderId, causeId })),
    nextInMs: next === null || next === undefined ? undefined : Number(next),
  };
}
