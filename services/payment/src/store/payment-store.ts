import type { Pool, Tx } from '@orderly/platform';

export interface NewPayment {
  orderId: string;
  paymentId: string;
  status: 'captured' | 'declined' | 'voided';
  amountCents: number;
  currency: string;
  method?: string | undefined;
}

/** The order's one payment row; false when the order has one already (charged before, or voided first). */
export async function insertPayment(tx: Tx, p: NewPayment): Promise<boolean> {
  const { rowCount } = await tx.query(
    `INSERT INTO payments (order_id, payment_id, status, amount_cents, currency, method)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (order_id) DO NOTHING`,
    [p.orderId, p.paymentId, p.status, p.amountCents, p.currency, p.method ?? null],
  );
  return rowCount !== 0;
}

/** Marks a captured payment refunded; undefined when there is none to refund (declined, voided or refunded already). */
export async function refundCaptured(
  tx: Tx,
  orderId: string,
): Promise<{ paymentId: string; amountCents: number; currency: string } | undefined> {
  const { rows } = await tx.query<{ paymentId: string; amountCents: number; currency: string }>(
    `UPDATE payments SET status = 'refunded', updated_at = now() WHERE order_id = $1 AND status = 'captured'
     RETURNING payment_id AS "paymentId", amount_cents AS "amountCents", currency`,
    [orderId],
  );
  return rows[0];
}

const paymentView = `SELECT order_id AS "orderId", payment_id AS "paymentId", status, amount_cents AS "amountCents", currency,
                            method, created_at AS "createdAt", updated_at AS "updatedAt" FROM payments`;

export async function paymentsOfOrder(pool: Pool, orderId: string): Promise<unknown[]> {
  return (await pool.query(`${paymentView} WHERE order_id = $1`, [orderId])).rows;
}
