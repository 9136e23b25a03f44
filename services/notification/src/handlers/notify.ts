import { randomUUID } from 'node:crypto';
import type { Handlers, Tx } from '@orderly/platform';
import { confirmed, type Message, rejected } from '../domain/messages.js';
import type { Mailer } from '../mailer.js';

interface Recipient {
  orderId: string;
  customerId: string;
  email: string;
}

/**
 * Stores the message and sends it in the same transaction: if sending fails the row rolls back
 * and the event is retried; a redelivery after success finds the row and sends nothing.
 */
export async function notify(tx: Tx, to: Recipient, message: Message, mailer: Mailer): Promise<void> {
  const { rowCount } = await tx.query(
    `INSERT INTO notifications (id, order_id, customer_id, email, kind, subject, body, channel)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (order_id, kind) DO NOTHING`,
    [randomUUID(), to.orderId, to.customerId, to.email, message.kind, message.subject, message.body, mailer.channel],
  );
  if (rowCount === 0) return;
  await mailer.send({ to: to.email, subject: message.subject, body: message.body });
}

export function notificationHandlers(mailer: Mailer): Handlers {
  return {
    'order.confirmed': ({ data }, tx) => notify(tx, data, confirmed(data.orderId, data.totalCents, data.currency), mailer),
    'order.rejected': ({ data }, tx) => notify(tx, data, rejected(data.orderId, data.reason), mailer),
  };
}
