import { databaseUnavailable, type Logger, type Pool } from '@orderly/platform';
import type { RecordParked } from '../bus/dead-letter-keeper.js';
import { UnrecordableError } from '../bus/dead-letter-keeper.js';
import { type Delivery, describeParked, describeUnrecordable } from '../domain/parked-message.js';
import type { ConsoleMetrics } from '../metrics.js';
import { insertDeadLetter } from '../store/dead-letters-store.js';

/**
 * A parked message taken from its DLQ becomes a row, once however often it is delivered. A failure
 * that is not the database's (a value the table refuses) would fail the same way on every try and
 * jam the DLQ behind it (issue 23, item 9): the message is then recorded with only what is certain
 * to fit, and if even that is refused, it is quarantined (UnrecordableError).
 */
export function recordDeadLetter(pool: Pool, metrics: ConsoleMetrics, logger: Logger, maxBodyBytes: number): RecordParked {
  return async (queue, msg) => {
    const delivery: Delivery = { queue, content: msg.content, properties: msg.properties };
    let parked = describeParked(delivery, new Date(), maxBodyBytes);
    let fresh: boolean;
    try {
      fresh = await insertDeadLetter(pool, parked);
    } catch (err) {
      if (databaseUnavailable(err)) throw err;
      logger.warn({ err, queue, messageId: parked.messageId }, 'a parked message could not be recorded in full; recording what is certain');
      parked = describeUnrecordable(delivery, (err as Error).message ?? String(err), new Date(), maxBodyBytes);
      try {
        fresh = await insertDeadLetter(pool, parked);
      } catch (again) {
        if (databaseUnavailable(again)) throw again;
        throw new UnrecordableError(`not even in part: ${(again as Error).message}`, { cause: again });
      }
    }
    if (fresh) {
      metrics.recorded.inc({ queue });
      logger.info({ queue, messageId: parked.messageId, type: parked.type, orderId: parked.orderId }, 'parked message recorded');
    }
    return fresh;
  };
}
