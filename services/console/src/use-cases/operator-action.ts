import type { Tx } from '@orderly/platform';
import { safeText } from '../domain/json-safe.js';
import type { Acted } from '../store/dead-letter-status-store.js';

/**
 * The audit trail of an operator's action on a parked message: an event the audit service keeps,
 * on the order's timeline (its subject is the order, or the message when it names none), emitted
 * in the same transaction as the status change it reports.
 */
function action(row: Acted, operator: string) {
  return {
    subject: row.orderId ?? row.messageId ?? row.id,
    data: { deadLetterId: row.id, queue: row.queue, messageType: row.type ?? 'unknown', operator: safeText(operator, 200) || 'unknown' },
  };
}

export function emitRedriven(tx: Tx, row: Acted, operator: string, reason: string | undefined): void {
  const { subject, data } = action(row, operator);
  tx.emit('deadletter.redriven', subject, reason === undefined ? data : { ...data, reason });
}

export function emitDiscarded(tx: Tx, row: Acted, operator: string, reason: string): void {
  const { subject, data } = action(row, operator);
  tx.emit('deadletter.discarded', subject, { ...data, reason });
}
