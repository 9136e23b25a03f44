import type { Tx } from '@orderly/platform';
import type { ShipmentStatus, TimerKind } from './domain/shipment.js';

/** A shipment as the handlers and the timer worker see it; carrier is null only on a tombstone. */
export interface ShipmentRow {
  shipmentId: string;
  orderId: string;
  carrier: string | null;
  trackingNumber: string | null;
  status: ShipmentStatus;
}

const columns = `shipment_id AS "shipmentId", order_id AS "orderId", carrier, tracking_number AS "trackingNumber", status`;

export interface NewShipment {
  shipmentId: string;
  orderId: string;
  customerId: string | null;
  carrier: string | null;
  trackingNumber: string | null;
  status: Extract<ShipmentStatus, 'created' | 'cancelled'>;
}

/**
 * Takes the order's one shipment row, or returns false when the order already has one (created
 * before, or cancelled first). A concurrent insert for the same order waits for this one's commit.
 */
export async function insertShipment(tx: Tx, s: NewShipment): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO shipments (shipment_id, order_id, customer_id, carrier, tracking_number, status)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (order_id) DO NOTHING`,
    [s.shipmentId, s.orderId, s.customerId, s.carrier, s.trackingNumber, s.status],
  );
  if (rowCount === 0) return false;
  await addHistory(tx, s.shipmentId, s.status);
  return true;
}

export async function lockShipmentOfOrder(tx: Tx, orderId: string): Promise<ShipmentRow | undefined> {
  const { rows } = await tx.query<ShipmentRow>(`SELECT ${columns} FROM shipments WHERE order_id = $1 FOR NO KEY UPDATE`, [orderId]);
  return rows[0];
}

/** The timer worker never waits for a shipment a cancel holds: it skips it and tries again later. */
export async function tryLockShipment(tx: Tx, shipmentId: string): Promise<ShipmentRow | undefined> {
  const { rows } = await tx.query<ShipmentRow>(`SELECT ${columns} FROM shipments WHERE shipment_id = $1 FOR NO KEY UPDATE SKIP LOCKED`, [
    shipmentId,
  ]);
  return rows[0];
}

export async function setStatus(tx: Tx, shipmentId: string, status: ShipmentStatus): Promise<void> {
  await tx.query('UPDATE shipments SET status = $2, updated_at = now() WHERE shipment_id = $1', [shipmentId, status]);
  await addHistory(tx, shipmentId, status);
}

async function addHistory(tx: Tx, shipmentId: string, status: ShipmentStatus): Promise<void> {
  await tx.query('INSERT INTO shipment_history (shipment_id, status) VALUES ($1, $2)', [shipmentId, status]);
}

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
