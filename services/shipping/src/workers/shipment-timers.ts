import { type Database, type Logger, PollLoop } from '@orderly/platform';
import type { Delays } from '../domain/shipment.js';
import { dueTimers } from '../store/timer-store.js';
import { advanceShipment } from '../use-cases/advance-shipment.js';

export interface ShipmentTimerOptions {
  delays: Delays;
  pollMs: number;
  /** Due timers looked at per tick. */
  batchSize?: number;
}

/**
 * Fires due shipment timers, one transaction per timer. Replicas share the work: each timer is
 * locked with SKIP LOCKED when it is fired, so two replicas never take the same step. A timer that
 * fails stays for the next tick and does not hold up the others. stop() lets the timer in hand
 * commit and leaves the rest of the batch.
 */
export function shipmentTimers(db: Database, options: ShipmentTimerOptions, logger: Logger): PollLoop {
  return new PollLoop(
    async (stopping) => {
      let fired = 0;
      let failed = 0;
      for (const due of await dueTimers(db.pool, options.batchSize ?? 50)) {
        if (stopping.aborted) break;
        try {
          const cause = { id: due.causeId, correlationid: due.orderId };
          if ((await db.transaction((tx) => advanceShipment(due.id, tx, options.delays, logger), cause)) === 'fired') fired += 1;
        } catch (err) {
          failed += 1;
          logger.warn({ err, timerId: due.id, orderId: due.orderId }, 'shipment timer failed; will retry');
        }
      }
      if (fired > 0) return 'more';
      // Only failures: back off rather than retry them at once.
      if (failed > 0) throw new Error(`${failed} due shipment timers failed`);
      return 'idle';
    },
    { name: 'shipment timers', everyMs: options.pollMs, logger },
  );
}
