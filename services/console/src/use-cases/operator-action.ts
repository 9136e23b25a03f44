import { createHash } from 'node:crypto';
import type { Tx } from '@orderly/platform';
import { safeText } from '../domain/json-safe.js';
import type { Acted, Redrivable } from '../store/dead-letter-status-store.js';

/**
 * The audit trail of an operator's action on a parked message: an event the audit service keeps,
 * on the order's timeline (its subject is the order, or the message when it names none), emitted
 * in the same transaction as the status change it reports.
 */
const subjectOf = (row: Acted) => row.orderId ?? row.messageId ?? row.id;
const about = (row: Acted) => ({ deadLetterId: row.id, queue: row.queue, messageType: row.type ?? 'unknown' });

function action(row: Acted, operator: string) {
  return { subject: subjectOf(row), data: { ...about(row), operator: safeText(operator, 200) || 'unknown' } };
}

/** The redrive and the envelope it sends back (decision 0024): its id, the SHA-256 of its bytes, the publisher it names. */
export function emitRedriven(tx: Tx, row: Redrivable, operator: string, reason: string | undefined): void {
  const { subject, data } = action(row, operator);
  tx.emit('deadletter.redriven', subject, {
    ...data,
    ...(reason === undefined ? {} : { reason }),
    ...(row.messageId ? { messageId: row.messageId } : {}),
    bodySha256: createHash('sha256').update(row.body).digest('hex'),
    ...(row.publishedBy ? { publishedBy: row.publishedBy } : {}),
  });
}

export function emitDiscarded(tx: Tx, row: Acted, operator: string, reason: string): void {
  const { subject, data } = action(row, operator);
  tx.emit('deadletter.discarded', subject, { ...data, reason });
}

/** A copy sent back as a redrive that its consumer refused: who sent it, whom it claimed, why (recorded by the keeper). */
export function emitRefused(tx: Tx, row: Acted & { error: string }, refused: { sentBy: string; claimedPublisher: string }): void {
  tx.emit('deadletter.refused', subjectOf(row), {
    ...about(row),
    ...(row.messageId ? { messageId: row.messageId } : {}),
    sentBy: refused.sentBy,
    claimedPublisher: refused.claimedPublisher,
    reason: safeText(row.error, 1000) || 'refused',
  });
}
