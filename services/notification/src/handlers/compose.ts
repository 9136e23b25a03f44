import { randomUUID } from 'node:crypto';
import type { Handler, Handlers, Tx } from '@orderly/platform';
import { cancelled, confirmed, delivered, type Message, refunded, rejected, shipped } from '../domain/messages.js';

interface Recipient {
  orderId: string;
  customerId: string;
  email: string;
}

/** Remembers who the order's customer is; order events all carry it. */
async function remember(tx: Tx, r: Recipient): Promise<void> {
  await tx.query('INSERT INTO recipients (order_id, customer_id, email) VALUES ($1, $2, $3) ON CONFLICT (order_id) DO NOTHING', [
    r.orderId,
    r.customerId,
    r.email,
  ]);
}

async function recipientOf(tx: Tx, orderId: string): Promise<Recipient> {
  const { rows } = await tx.query<Recipient>(
    'SELECT order_id AS "orderId", customer_id AS "customerId", email FROM recipients WHERE order_id = $1',
    [orderId],
  );
  // Not a permanent failure: the order event naming the customer may simply not be here yet.
  if (!rows[0]) throw new Error(`no recipient known yet for order ${orderId}`);
  return rows[0];
}

/** Publishes one message to the fanout exchange: every channel gets its own copy. */
function request(tx: Tx, to: Recipient, message: Message): void {
  tx.emit('notification.requested', to.orderId, {
    notificationId: randomUUID(),
    orderId: to.orderId,
    customerId: to.customerId,
    email: to.email,
    ...message,
  });
}

const fromOrder =
  (compose: (data: Recipient & Record<string, unknown>) => Message): Handler =>
  async ({ data }, tx) => {
    await remember(tx, data);
    request(tx, data, compose(data));
  };

/** Each customer-visible outcome becomes one message; the channels decide how it travels. */
export const composeHandlers: Handlers = {
  'order.confirmed': fromOrder((d) => confirmed(d.orderId, d.totalCents as number, d.currency as string)),
  'order.rejected': fromOrder((d) => rejected(d.orderId, d.reason as string)),
  'order.shipped': fromOrder((d) => shipped(d.orderId, d.carrier as string, d.trackingNumber as string)),
  'order.delivered': fromOrder((d) => delivered(d.orderId)),
  'order.cancelled': fromOrder((d) => cancelled(d.orderId, d.reason as string)),
  'payment.refunded': async ({ data }, tx) =>
    request(tx, await recipientOf(tx, data.orderId), refunded(data.orderId, data.amountCents, data.currency)),
};
