import type { Database, Logger, Worker } from '@orderly/platform';
import type { Delays } from './domain/shipment.js';
import { fireTimer } from './handlers/timers.js';

export interface TimerWorkerOptions {
  delays: Delays;
  pollMs: number;
  /** Due timers looked at per poll. */
  batchSize?: number;
}

interface DueTimer {
  id: string;
  orderId: string;
  causeId: string;
}

/**
 * Fires due shipment timers, one transaction per timer. Replicas share the work: each timer is
 * locked with SKIP LOCKED when it is fired, so two replicas never take the same step. stop()
 * lets the timer in hand commit, then stops polling.
 */
export class TimerWorker implements Worker {
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;

  constructor(
    private readonly db: Database,
    private readonly options: TimerWorkerOptions,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (this.#running) {
      let pass = { fired: 0, failed: 0 };
      try {
        pass = await this.#fireDue();
      } catch (err) {
        pass.failed += 1;
        this.logger.warn({ err }, 'could not look for due shipment timers; will retry');
      }
      failures = pass.failed > 0 ? failures + 1 : 0;
      if (pass.fired > 0 || !this.#running) continue;
      await this.#sleep(failures > 0 ? Math.min(this.options.pollMs * 2 ** failures, 15_000) : this.options.pollMs);
    }
  }

  /**
   * Fires the timers due now (up to one batch), each in its own transaction. A timer that fails
   * stays in the table for the next pass and does not hold up the others.
   */
  async #fireDue(): Promise<{ fired: number; failed: number }> {
    const { rows } = await this.db.pool.query<DueTimer>(
      `SELECT id::text AS id, order_id AS "orderId", cause_id AS "causeId" FROM timers
        WHERE due_at <= now() ORDER BY due_at, id LIMIT $1`,
      [this.options.batchSize ?? 50],
    );
    const pass = { fired: 0, failed: 0 };
    for (const due of rows) {
      if (!this.#running) break;
      try {
        const cause = { id: due.causeId, correlationid: due.orderId };
        const outcome = await this.db.transaction((tx) => fireTimer(due.id, tx, this.options.delays, this.logger), cause);
        if (outcome === 'fired') pass.fired += 1;
      } catch (err) {
        pass.failed += 1;
        this.logger.warn({ err, timerId: due.id, orderId: due.orderId }, 'shipment timer failed; will retry');
      }
    }
    return pass;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => {
      this.#wake = undefined;
    });
  }
}
