import type { Logger, Metrics, Pool } from '@orderly/platform';
import { Counter, Gauge } from 'prom-client';
import { countsByQueueAndStatus } from './store/dead-letters-store.js';

/**
 * The console's own metrics beside the platform's. `orderly_dead_letters` replaces the DLQ depth
 * for alerts once the console runs: the keeper empties the DLQs into the table, so what is parked
 * is the table's `parked` rows (every replica reports the same rows: alert on max, not sum).
 */
export function consoleMetrics(metrics: Metrics, pool: Pool, logger: Logger) {
  const registers = [metrics.registry];
  let last: Awaited<ReturnType<typeof countsByQueueAndStatus>> = [];
  return {
    deadLetters: new Gauge({
      name: 'orderly_dead_letters',
      help: 'Parked messages recorded by the console, by queue and status (parked, redriving, redriven, discarded)',
      labelNames: ['queue', 'status'],
      registers,
      async collect() {
        try {
          last = await countsByQueueAndStatus(pool);
        } catch (err) {
          // A scrape during a database outage shows the last counts rather than failing /metrics.
          logger.warn({ err }, 'dead-letter counts unavailable; reporting the last ones');
        }
        this.reset();
        for (const { queue, status, count } of last) this.set({ queue, status }, count);
        // Nothing parked is a 0, not an absent series: the parked alert can be tested against it.
        if (!last.some((row) => row.status === 'parked')) this.set({ status: 'parked' }, 0);
      },
    }),
    recorded: new Counter({
      name: 'orderly_dead_letters_recorded_total',
      help: 'Parked messages the keeper took from a DLQ and recorded',
      labelNames: ['queue'],
      registers,
    }),
    quarantined: new Counter({
      name: 'orderly_dead_letters_quarantined_total',
      help: 'Parked messages the keeper could not record at all, rejected into orderly.quarantine',
      labelNames: ['queue'],
      registers,
    }),
    actions: new Counter({
      name: 'orderly_dead_letter_actions_total',
      help: 'Operator actions on parked messages, by queue and action (redrive, discard)',
      labelNames: ['queue', 'action'],
      registers,
    }),
  };
}
export type ConsoleMetrics = ReturnType<typeof consoleMetrics>;
