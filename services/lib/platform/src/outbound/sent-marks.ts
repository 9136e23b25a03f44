import { named } from '../db/named.js';
import type { Pool, PoolClient } from '../db/pool.js';
import type { Logger } from '../logger.js';

const markSentText = 'UPDATE outbox SET published_at = clock_timestamp() WHERE id = ANY($1::bigint[])';

/** Marks rows sent, on the pool (its own commit) or inside a transaction in hand (the sweep's). */
export function markSent(db: Pool | PoolClient, ids: readonly number[]): Promise<unknown> {
  return db.query(named(markSentText, [ids]));
}

/**
 * Marks confirmed rows sent, many at a time: one UPDATE (one commit) per `everyMs` for all the rows
 * confirmed meanwhile, instead of a transaction per publish. Armed only while there is something
 * to mark, so nothing ticks while idle. A failed mark keeps its ids for the next one; a row never
 * marked (the process died) is published again by the sweep, and its consumers' inboxes absorb it.
 */
export class SentMarks {
  #ids: number[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly pool: Pool,
    private readonly everyMs: number,
    private readonly logger: Logger,
  ) {}

  add(id: number): void {
    this.#ids.push(id);
    this.#timer ??= setTimeout(() => void this.flush(), this.everyMs);
  }

  /** Marks what has been added so far (also at stop); resolves when written, or failed and kept. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const ids = this.#ids;
    this.#ids = [];
    this.#flushing = this.#flushing.then(async () => {
      if (ids.length === 0) return;
      try {
        await markSent(this.pool, ids);
      } catch (err) {
        this.logger.warn({ err, rows: ids.length }, 'could not mark outbox rows sent; will try again');
        for (const id of ids) this.add(id);
      }
    });
    return this.#flushing;
  }
}
