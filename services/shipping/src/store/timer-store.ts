import type { Pool, Tx } from '@orderly/platform';
import type { TimerKind } from '../domain/shipment.js';

export interface TimerRow {
  id: string;
  shipmentId: string;
  orderId: string;
  kind: TimerKind;
  causeId: string;
}

const timerColumns = `id::text AS id, shipment_id AS "shipmentId", order_id AS "orderId", kind, cause_id AS "causeId"`;

export async function scheduleTimer(
  tx: Tx,
  timer: { shipmentId: string; orderId: string; kind: TimerKind; delayMs: number; causeId: string },
): Promise<void> {
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

/** Timers due now, oldest first; not locked: each is claimed in its own transaction when fired. */
export async function dueTimers(pool: Pool, limit: number): Promise<DueTimer[]> {
  const { rows } = await pool.query<DueTimer>(
    `SELECT id::text AS id, order_id AS "orderId", cause_id AS "causeId" FROM timers
      WHERE due_at <= now() ORDER BY due_at, id LIMIT $1`,
    [limit],
  );
  return rows;
}
