import type { Pool, Tx } from '@orderly/platform';
import type { ShipmentStatus } from '../domain/shipment.js';

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

export async function setStatus(tx: Tx, shipmentId: string, status: ShipmentStatus): Promise<void> {
  await tx.query('UPDATE shipments SET status = $2, updated_at = now() WHERE shipment_id = $1', [shipmentId, status]);
  await addHistory(tx, shipmentId, status);
}

async function addHistory(tx: Tx, shipmentId: string, status: ShipmentStatus): Promise<void> {
  await tx.query('INSERT INTO shipment_history (shipment_id, status) VALUES ($1, $2)', [shipmentId, status]);
}

// A tombstone (a cancel that came before any shipment) has no carrier: it is not a shipment to show.
const viewSelect = `SELECT s.shipment_id AS "shipmentId", s.order_id AS "orderId", s.customer_id AS "customerId", s.carrier,
                           s.tracking_number AS "trackingNumber", s.status, s.created_at AS "createdAt", s.updated_at AS "updatedAt",
                           COALESCE((SELECT json_agg(json_build_object('status', h.status, 'at', h.at) ORDER BY h.id)
                                       FROM shipment_history h WHERE h.shipment_id = s.shipment_id), '[]') AS history
                      FROM shipments s WHERE s.carrier IS NOT NULL`;

/** A shipment as the API shows it: the row, its customer and the history of its statuses. */
export interface ShipmentView {
  shipmentId: string;
  orderId: string;
  customerId: string | null;
  [field: string]: unknown;
}

/** The shipments of an order as the API shows them; with customerId, only if the order is theirs. */
export async function shipmentsOfOrder(pool: Pool, orderId: string, customerId?: string): Promise<ShipmentView[]> {
  return (await pool.query(`${viewSelect} AND s.order_id = $1 AND ($2::text IS NULL OR s.customer_id = $2)`, [orderId, customerId ?? null]))
    .rows;
}

export async function findShipment(pool: Pool, shipmentId: string): Promise<ShipmentView | undefined> {
  return (await pool.query(`${viewSelect} AND s.shipment_id = $1`, [shipmentId])).rows[0];
}
