import type { Tx } from '@orderly/platform';
import type { TimerKind } from '../domain/shipment.js';
import type { ClaimedTimer, TimerStep } from '../domain/timer-plan.js';

/** Told, after the commit, that a timer is due in delayMs (the worker's wait ends by then). */
export type TimerScheduled = (delayMs: number) => void;

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

export async function deleteTimersOf(tx: Tx, shipmentId: string): Promise<void> {
  await tx.query('DELETE FROM timers WHERE shipment_id = $1', [shipmentId]);
}

/**
 * Locks the timers due now (oldest first, at most `limit`, or only `ids`) with their shipments, in
 * one statement, and says when the next one not yet due is. SKIP LOCKED on both: a timer another
 * replica is firing, or whose shipment a cancel holds, stays for a later tick.
 */
export async function claimDueTimers(
  tx: Tx,
  limit: number,
  ids?: readonly string[],
): Promise<{ claimed: ClaimedTimer[]; nextInMs: number | undefined }> {
  const { rows } = await tx.query<ClaimedTimer & { id: string | null; nextInMs: number | null }>(
    `SELECT d.*, extract(epoch FROM n.next - clock_timestamp()) * 1000 AS "nextInMs"
       FROM (SELECT min(due_at) AS next FROM timers WHERE due_at > now()) n
       LEFT JOIN LATERAL (
         SELECT t.id::text AS id, t.order_id AS "orderId", t.kind, t.cause_id AS "causeId", s.shipment_id AS "shipmentId",
                s.status, s.carrier, s.tracking_number AS "trackingNumber"
           FROM timers t JOIN shipments s ON s.shipment_id = t.shipment_id
          WHERE t.due_at <= now() AND ($2::bigint[] IS NULL OR t.id = ANY($2::bigint[]))
          ORDER BY t.due_at, t.id
          LIMIT $1
          FOR UPDATE OF t SKIP LOCKED FOR NO KEY UPDATE OF s SKIP LOCKED) d ON true`,
    [limit, ids ?? null],
  );
  const next = rows[0]?.nextInMs;
  return {
    claimed: rows.filter((r) => r.id !== null).map(({ nextInMs: _, ...timer }) => timer),
    nextInMs: next === null || next === undefined ? undefined : Number(next),
  };
}

/**
 * A tick's writes as one statement, sent with the COMMIT: the shipments move on, each step enters
 * their history, the next timers are scheduled, and every claimed timer that was stepped or stale is
 * deleted. Nothing reads its result, so it costs no round trip of its own.
 */
export function applyTimerSteps(tx: Tx, fired: readonly { step: TimerStep; eventId: string }[], stale: readonly ClaimedTimer[]): void {
  const steps = fired.map((f) => f.step);
  const next = fired.filter((f) => f.step.next !== undefined);
  tx.queueForCommit(
    `WITH step AS (SELECT * FROM unnest($1::uuid[], $2::text[]) AS s(shipment_id, status)),
          moved AS (UPDATE shipments s SET status = step.status, updated_at = now() FROM step WHERE s.shipment_id = step.shipment_id),
          history AS (INSERT INTO shipment_history (shipment_id, status) SELECT shipment_id, status FROM step),
          scheduled AS (
            INSERT INTO timers (shipment_id, order_id, kind, due_at, cause_id)
            SELECT shipment_id, order_id, kind, clock_timestamp() + delay_ms * interval '1 millisecond', cause_id
              FROM unnest($3::uuid[], $4::uuid[], $5::text[], $6::int[], $7::uuid[]) AS n(shipment_id, order_id, kind, delay_ms, cause_id))
     DELETE FROM timers WHERE id = ANY($8::bigint[])`,
    [
      steps.map((s) => s.timer.shipmentId),
      steps.map((s) => s.to),
      // The next step follows from the event this one emitted.
      next.map((f) => f.step.timer.shipmentId),
      next.map((f) => f.step.timer.orderId),
      next.map((f) => f.step.next?.kind),
      next.map((f) => f.step.next?.delayMs),
      next.map((f) => f.eventId),
      [...steps.map((s) => s.timer.id), ...stale.map((t) => t.id)],
    ],
  );
}
