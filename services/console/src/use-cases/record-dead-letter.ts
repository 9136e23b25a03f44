import type { Logger, Pool } from '@orderly/platform';
import type { RecordParked } from '../bus/dead-letter-keeper.js';
import { describeParked } from '../domain/parked-message.js';
import type { ConsoleMetrics } from '../metrics.js';
import { insertDeadLetter } from '../store/dead-letters-store.js';

/** A parked message taken from its DLQ becomes a row, once however often it is delivered. */
export function recordDeadLetter(pool: Pool, metrics: ConsoleMetrics, logger: Logger): RecordParked {
  return async (queue, msg) => {
    const parked = describeParked({ queue, content: msg.content, properties: msg.properties });
    const fresh = await insertDeadLetter(pool, parked);
    if (fresh) {
      metrics.recorded.inc({ queue });
      logger.info({ queue, messageId: parked.messageId, type: parked.type, orderId: parked.orderId }, 'parked message recorded');
    }
    return fresh;
  };
}
