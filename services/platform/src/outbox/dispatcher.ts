import type { Publisher } from '../bus/publisher.js';
import type { Pool } from '../db/pool.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { observeOutboxLag, type PendingEvent, publishPending } from './publish-row.js';

export interface CommittedEvent extends PendingEvent {
  /** When the row was written (ms since epoch), for the publish-lag metric. */
  writtenAtMs: number;
}

/**
 * Publishes a transaction's outbox rows as soon as it commits, from memory, and marks them sent
 * in one UPDATE per event-loop turn. The committing process already holds the rows, so reading
 * them back (and a NOTIFY to say they exist, which serialises commits) would be pure cost
 * (decision 8). If a publish fails, or the process dies first, the row simply stays unsent and
 * the relay's sweep publishes it: the outbox row, not this in-memory path, is the guarantee.
 */
export class OutboxDispatcher {
  #inFlight = new Set<Promise<void>>();
  #sent: string[] = [];
  #marking: Promise<void> | undefined;
  #markScheduled = false;

  constructor(
    private readonly pool: Pool,
    private readonly publisher: Publisher,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {}

  /** Called after commit; never throws and never delays the caller. */
  dispatch(rows: readonly CommittedEvent[]): void {
    const work = this.#publishInOrder(rows).finally(() => this.#inFlight.delete(work));
    this.#inFlight.add(work);
  }

  /** Waits for what is being published and marked (graceful stop). */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
    await this.#markNow();
  }

  async #publishInOrder(rows: readonly CommittedEvent[]): Promise<void> {
    // One transaction's events in the order it emitted them: the channel keeps that order.
    const confirmed = await Promise.allSettled(rows.map((row) => publishPending(this.publisher, this.logger, row)));
    for (const [i, result] of confirmed.entries()) {
      const row = rows[i]!;
      if (result.status === 'fulfilled') {
        observeOutboxLag(this.metrics, row, row.writtenAtMs);
        this.#sent.push(row.eventId);
      } else {
        this.logger.warn(
          { err: result.reason, eventId: row.eventId, type: row.type },
          'publish after commit failed; the relay sweep will send it',
        );
      }
    }
    this.#scheduleMark();
  }

  #scheduleMark(): void {
    if (this.#markScheduled || this.#sent.length === 0) return;
    this.#markScheduled = true;
    setImmediate(() => {
      this.#markScheduled = false;
      void this.#markNow();
    });
  }

  /** Marks every confirmed id gathered so far, one statement at a time. */
  async #markNow(): Promise<void> {
    while (this.#marking) await this.#marking;
    if (this.#sent.length === 0) return;
    const ids = this.#sent.splice(0, this.#sent.length);
    this.#marking = this.pool
      .query('UPDATE outbox SET published_at = clock_timestamp() WHERE event_id = ANY($1::uuid[]) AND published_at IS NULL', [ids])
      .then(
        () => undefined,
        // Left unsent, the rows are published again by the sweep; the inbox absorbs the copies.
        (err) => this.logger.warn({ err, rows: ids.length }, 'could not mark published outbox rows'),
      )
      .finally(() => {
        this.#marking = undefined;
      });
    await this.#marking;
  }
}
