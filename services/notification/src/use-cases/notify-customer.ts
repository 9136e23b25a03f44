import { randomUUID } from 'node:crypto';
import { NotYetError, type Tx } from '@orderly/platform';
import type { Message } from '../domain/messages.js';
import { storeNotification } from '../store/notification-store.js';
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

/**
 * The message is stored for GET /notifications in the transaction that composes it, and goes once
 * to the fanout exchange, where each channel with an effect outside the database (email) gets its
 * own copy. Storing it here rather than through a channel queue saves a delivery and a commit.
 */
function request(tx: Tx, to: Recipient, message: Message): void {
  const requested = { notificationId: randomUUID(), orderId: to.orderId, customerId: to.customerId, email: to.email, ...message };
  tx.emit('notification.requested', to.orderId, requested);
  storeNotification(tx, requested);
}
