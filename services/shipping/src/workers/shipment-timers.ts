import { type Database, type Logger, PollLoop, type Tx } from '@orderly/platform';
import type { Delays } from '../domain/shipment.js';
import { type DueTimer, dueTimers } from '../store/timer-store.js';
import { advanceShipment, type TimerOutcome } from '../use-cases/advance-shipment.js';

export interface ShipmentTimerOptions {
  delays: Delays;
  /** The longest sleep while nothing is due: how soon timers scheduled by another replica are seen. */
  pollMs: number;
  /** Due timers looked at per tick. */
  batchSize?: number;
}

/**
 * Fires due shipment timers, waking when the next is due rather than polling: all the timers due at a tick in one transaction (one commit, not one
 * each), and if that fails, one transaction per timer, so a timer that fails stays for the next
 * tick and does not hold up the others. Replicas share the work: each timer is locked with SKIP
 * LOCKED when it is fired, so two replicas never take the same step. stop() lets the transaction
 * in hand commit and leaves the rest.
 */
export function shipmentTimers(db: Database, options: ShipmentTimerOptions, logger: Logger): PollLoop {
  /** Fires the timers in one transaction; true when any of them moved its shipment on. */
  const fire = async (timers: DueTimer[]): Promise<boolean> => {
    const outcomes: TimerOutcome[] = [];
    await db.transactionMany(
      timers.map((due) => ({
        cause: { id: due.causeId, correlationid: due.orderId },
        run: async (tx: Tx) => {
          outcomes.push(await advanceShipment(due.id, tx, options.delays, logger));
        },
      })),
    );
    return outcomes.includes('fired');
  };
  return new PollLoop(
    async (stopping) => {
      const { due, nextInMs } = await dueTimers(db.pool, options.batchSize ?? 50);
      if (stopping.aborted) return 'idle';
      // Nothing due: sleep until the next timer (known here, or announced by wakeWithin when one is
      // scheduled), or pollMs at most, for timers another replica scheduled and left behind.
      if (due.length === 0) return { idleMs: Math.min(nextInMs ?? options.pollMs, options.pollMs) };
      try {
        return (await fire(due)) ? 'more' : 'idle';
      } catch (err) {
        logger.debug({ err, timers: due.length }, 'batch of shipment timers failed; firing them one by one');
      }
      let fired = 0;
      let failed = 0;
      for (const timer of due) {
        if (stopping.aborted) break;
        try {
          if (await fire([timer])) fired += 1;
        } catch (err) {
          failed += 1;
          logger.warn({ err, timerId: timer.id, orderId: timer.orderId }, 'shipment timer failed; will retry');
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
