import type { Database, Logger } from '@orderly/platform';
import type { RecordParked } from '../bus/dead-letter-keeper.js';
import { describeParked } from '../domain/parked-message.js';
import type { ConsoleMetrics } from '../metrics.js';
import { insertDeadLetter } from '../store/dead-letters-store.js';
import { emitRefused } from './operator-action.js';

/**
 * A parked message taken from its DLQ becomes a row, once however often it is delivered. A
 * redriven copy its consumer refused (decision 0024) is also reported to the audit log, in the same
 * transaction: every copy sent back through a retry exchange is on the record, accepted or not.
 */
export function recordDeadLetter(db: Database, metrics: ConsoleMetrics, logger: Logger): RecordParked {
  return async (queue, msg) => {
    const parked = describeParked({ queue, content: msg.content, properties: msg.properties });
    const id = await db.transaction(async (tx) => {
      const inserted = await insertDeadLetter(tx, parked);
      if (inserted && parked.refusedRedrive) emitRefused(tx, { ...parked, id: inserted }, parked.refusedRedrive);
      return inserted;
    });
    if (id) {
      metrics.recorded.inc({ queue });
      const facts = { queue, messageId: parked.messageId, type: parked.type, orderId: parked.orderId };
      if (parked.refusedRedrive) logger.warn({ ...facts, ...parked.refusedRedrive }, 'a redriven copy its consumer refused was recorded');
      else logger.info(facts, 'parked message recorded');
    }
    return id !== undefined;
  };
}
