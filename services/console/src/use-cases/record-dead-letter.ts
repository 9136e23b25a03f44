import { type Database, databaseUnavailable, type Logger } from '@orderly/platform';
import { type RecordParked, UnrecordableError } from '../bus/dead-letter-keeper.js';
import { type Delivery, describeParked, describeUnrecordable, type ParkedMessage } from '../domain/parked-message.js';
import type { ConsoleMetrics } from '../metrics.js';
import { insertDeadLetter } from '../store/dead-letters-store.js';
import { emitRefused } from './operator-action.js';

/**
 * A parked message taken from its DLQ becomes a row, once however often it is delivered. A
 * redriven copy its consumer refused (decision 0024) is also reported to the audit log, in the same
 * transaction: every copy sent back through a retry exchange is on the record, accepted or not.
 * A failure that is not the database's (a value the table refuses) would fail the same way on every
 * try and jam the DLQ behind it: the message is then recorded with only what is
 * certain to fit, and if even that is refused, it is quarantined (UnrecordableError).
 */
export function recordDeadLetter(db: Database, metrics: ConsoleMetrics, logger: Logger, maxBodyBytes: number): RecordParked {
  const record = (parked: ParkedMessage) =>
    db.transaction(async (tx) => {
      const inserted = await insertDeadLetter(tx, parked);
      if (inserted && parked.refusedRedrive) emitRefused(tx, { ...parked, id: inserted }, parked.refusedRedrive);
      return inserted;
    });
  return async (queue, msg) => {
    const delivery: Delivery = { queue, content: msg.content, properties: msg.properties };
    let parked = describeParked(delivery, new Date(), maxBodyBytes);
    let id: string | undefined;
    try {
      id = await record(parked);
    } catch (err) {
      if (databaseUnavailable(err)) throw err;
      logger.warn({ err, queue, messageId: parked.messageId }, 'a parked message could not be recorded in full; recording what is certain');
      parked = describeUnrecordable(delivery, (err as Error).message ?? String(err), new Date(), maxBodyBytes);
      try {
        id = await record(parked);
      } catch (again) {
        if (databaseUnavailable(again)) throw again;
        throw new UnrecordableError(`not even in part: ${(again as Error).message}`, { cause: again });
      }
    }
    if (id) {
      metrics.recorded.inc({ queue });
      const facts = { queue, messageId: parked.messageId, type: parked.type, orderId: parked.orderId };
      if (parked.refusedRedrive) logger.warn({ ...facts, ...parked.refusedRedrive }, 'a redriven copy its consumer refused was recorded');
      else logger.info(facts, 'parked message recorded');
    }
    return id !== undefined;
  };
}
