import { randomUUID } from 'node:crypto';
import { NotYetError, type Tx } from '@orderly/platform';
import type { Message } from '../domain/messages.js';
import { findRecipient, type Recipient, rememberRecipient } from '../store/recipient-store.js';

/** An order event names its customer: remember them for events that do not, and tell them. */
export async function notifyCustomer(tx: Tx, to: Recipient, message: Message): Promise<void> {
  await rememberRecipient(tx, to);
  request(tx, to, message);
}

/** An event that does not name the customer (payment.refunded): tell the one the order's events named. */
export async function notifyCustomerOfOrder(tx: Tx, orderId: string, message: Message): Promise<void> {
  const to = await findRecipient(tx, orderId);
  // The order event naming the customer may simply not be here yet (it may be waiting out a fault):
  // wait for it without spending attempts, or the refund would be parked and never told.
  if (!to) throw new NotYetError(`no recipient known yet for order ${orderId}`);
  request(tx, to, message);
}

/** One message to the fanout exchange: every channel gets its own copy. */
function request(tx: Tx, to: Recipient, message: Message): void {
  tx.emit('notification.requested', to.orderId, {
    notificationId: randomUUID(),
    orderId: to.orderId,
    customerId: to.customerId,
    email: to.email,
    ...message,
  });
}
