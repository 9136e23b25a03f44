import { type Database, type Logger, PollLoop } from '@orderly/platform';
import type { Delays } from '../domain/shipment.js';
import { type FiredTimers, fireDueTimers } from '../use-cases/fire-timers.js';

export interface ShipmentTimerOptions {
  delays: Delays;
  /** The longest sleep while nothing is due: how soon timers scheduled by another replica are seen. */
  pollMs: number;
  /** Due timers fired per tick. */
  batchSize?: number;
  /** The shortest wait after a tick that found less than a full batch (SHIPPING_TIMER_LINGER_MS). */
  lingerMs?: number;
}

/**
 * Fires due shipment timers, waking when the next is due rather than polling: each tick is one
 * transaction of two round trips whatever the number of timers (claim them; write every step with
 * the COMMIT). If a tick fails, its timers are fired one per transaction, so a timer that fails stays
 * for a later tick and does not hold up the others. Replicas share the work: timers and their
 * shipments are locked with SKIP LOCKED, so two replicas never take the same step. stop() lets the
 * transaction in hand commit and leaves the rest.
 */
export function shipmentTimers(db: Database, options: ShipmentTimerOptions, logger: Logger): PollLoop {
  const limit = options.batchSize ?? 50;
  const lingerMs = options.lingerMs ?? 0;
  const tick = (ids?: readonly string[]): Promise<FiredTimers> =>
    db.transaction((tx) => fireDueTimers(tx, options.delays, logger, ids ? ids.length : limit, ids));

  /** After a failed tick: the due timers one by one. */
  const oneByOne = async (stopping: AbortSignal): Promise<'more' | 'idle'> => {
    const { rows: due } = await db.pool.query<{ id: string }>(
      'SELECT id::text AS id FROM timers WHERE due_at <= now() ORDER BY due_at, id LIMIT $1',
      [limit],
    );
    let fired = 0;
    let failed = 0;
    for (const { id } of due) {
      if (stopping.aborted) break;
      try {
        fired += (await tick([id])).fired;
      } catch (err) {
        failed += 1;
        logger.warn({ err, timerId: id }, 'shipment timer failed; will retry');
      }
    }
    if (fired > 0) return 'more';
    // Only failures: back off rather than retry them at once.
    if (failed > 0) throw new Error(`${failed} due shipment timers failed`);
    return 'idle';
  };

  return new PollLoop(
    async (stopping) => {
      let result: FiredTimers;
      try {
        result = await tick();
      } catch (err) {
        logger.debug({ err }, 'tick of shipment timers failed; firing them one by one');
        return oneByOne(stopping);
      }
      // A full batch: more are due now.
      if (result.claimed === limit) return 'more';
      // Sleep until the next timer (known here, or announced by wakeWithin when one is scheduled),
      // or pollMs at most, for timers another replica scheduled and left behind. The loop waits at
      // least lingerMs, so that under load a tick gathers every timer due meanwhile.
      return { idleMs: Math.min(result.nextInMs ?? options.pollMs, options.pollMs) };
    },
    { name: 'shipment timers', everyMs: options.pollMs, logger, minGapMs: lingerMs },
  );
}
