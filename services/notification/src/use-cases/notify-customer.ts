import { randomUUID } from 'node:crypto';
import { NotYetError, type Tx } from '@orderly/platform';
import type { Message } from '../domain/messages.js';
import { storeNotification } from '../store/notification-store.js';
import { findRecipient, type Recipient, rememberRecipient } from '../store/recipient-store.js';

/** Told after a commit that stored notifications: the email sender wakes instead of polling. */
export type EmailQueued = () => void;

/** An order event names its customer: remember them for events that do not, and tell them. */
export async function notifyCustomer(tx: Tx, to: Recipient, message: Message, queued: EmailQueued): Promise<void> {
  await rememberRecipient(tx, to);
  request(tx, to, message, queued);
}

/** An event that does not name the customer (payment.refunded): tell the one the order's events named. */
export async function notifyCustomerOfOrder(tx: Tx, orderId: string, message: Message, queued: EmailQueued): Promise<void> {
  const to = await findRecipient(tx, orderId);
  // The order event naming the customer may simply not be here yet (it may be waiting out a fault):
  // wait for it without spending attempts, or the refund would be parked and never told.
  if (!to) throw new NotYetError(`no recipient known yet for order ${orderId}`);
  request(tx, to, message, queued);
}

/**
 * The message is stored in the transaction that composes it, for GET /notifications and as its
 * email's outbox row; the sender is woken once that commits (never for a rollback or a dry run).
 */
function request(tx: Tx, to: Recipient, message: Message, queued: EmailQueued): void {
  storeNotification(tx, { id: randomUUID(), ...to, ...message });
  tx.afterCommit(queued);
}
