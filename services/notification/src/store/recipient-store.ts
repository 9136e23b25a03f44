import type { Tx } from '@orderly/platform';

export interface Recipient {
  orderId: string;
  customerId: string;
  email: string;
}

/** Remembers who the order's customer is; the first order event to arrive names them. */
export async function rememberRecipient(tx: Tx, r: Recipient): Promise<void> {
  await tx.query('INSERT INTO recipients (order_id, customer_id, email) VALUES ($1, $2, $3) ON CONFLICT (order_id) DO NOTHING', [
    r.orderId,
    r.customerId,
    r.email,
  ]);
}

export async function findRecipient(tx: Tx, orderId: string): Promise<Recipient | undefined> {
  const { rows } = await tx.query<Recipient>(
    'SELECT order_id AS "orderId", customer_id AS "customerId", email FROM recipients WHERE order_id = $1',
    [orderId],
  );
  return rows[0];
}
