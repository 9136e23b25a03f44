import type { Database, Logger } from '@orderly/platform';
import type { ConsoleMetrics } from '../metrics.js';
import { type Chosen, discardParked } from '../store/dead-letter-status-store.js';
import { databaseNow } from '../store/dead-letters-store.js';
import { emitDiscarded } from './operator-action.js';
import { maxPerAction } from './redrive-dead-letters.js';

/**
 * Gives up on parked messages for a reason: parked → discarded and the operator-action events in
 * one transaction. The message is not published anywhere; its row (body included) stays until its
 * retention ends.
 */
export async function discardDeadLetters(
  db: Database,
  metrics: ConsoleMetrics,
  logger: Logger,
  chosen: Chosen,
  operator: string,
  reason: string,
): Promise<number> {
  const recordedBy = await databaseNow(db.pool);
  const rows = await db.transaction(async (tx) => {
    const discarded = await discardParked(tx, { ...chosen, recordedBy }, operator, reason, maxPerAction);
    for (const row of discarded) emitDiscarded(tx, row, operator, reason);
    return discarded;
  });
  for (const row of rows) metrics.actions.inc({ queue: row.queue, action: 'discard' });
  if (rows.length > 0) logger.info({ operator, discarded: rows.length }, 'parked messages discarded');
  return rows.length;
}
