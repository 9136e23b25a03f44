import type { Publisher } from '../bus/publisher.js';
import type { Pool } from '../db/pool.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { observeOutboxLag, publishPending } from './publish-row.js';

export interface RelayOptions {
  pollMs: number;
  batchSize: number;
  /**
   * Rows younger than this are left to the dispatcher of the process that wrote them, which
   * publishes at commit; the sweep takes only what that path did not send (a crash, a failed
   * publish), so in the normal case nothing is published twice.
   */
  sweepAfterMs: number;
  /** Sent rows are kept this long (for inspection) and then pruned. */
  retentionMs?: number;
}

interface OutboxRow {
  id: number;
  event_id: string;
  exchange: string;
  routing_key: string;
  type: string;
  payload: string;
  trace_context: Record<string, string>;
  created_at: Date;
}

/**
 * The outbox's safety net: every `pollMs` it publishes, with confirms, the rows that are still
 * unsent `sweepAfterMs` after they were written, and marks them sent. FOR UPDATE SKIP LOCKED lets
 * replicas share the work. A crash between publish and mark-sent republishes the batch:
 * consumers' inboxes absorb the duplicate. On stop it sweeps everything, whatever its age.
 */
export class OutboxRelay {
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #lastPrune = 0;

  constructor(
    private readonly pool: Pool,
    private readonly publisher: Publisher,
    private readonly options: RelayOptions,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {
    metrics.setOutboxPendingSource(async () => {
      const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL');
      return rows[0]?.n ?? 0;
    });
  }

  start(): void {
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Stops after publishing what is pending, so a rollout leaves nothing behind. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
  }

  async #run(): Promise<void> {
    let failures = 0;
    for (;;) {
      let published = 0;
      try {
        published = await this.publishBatch(this.#running ? this.options.sweepAfterMs : 0);
        failures = 0;
        await this.#pruneNow();
      } catch (err) {
        failures += 1;
        this.logger.warn({ err, failures }, 'outbox publish failed; will retry');
      }
      if (!this.#running) {
        if (published === 0 || failures > 0) return;
        continue;
      }
      if (published === this.options.batchSize) continue;
      const wait = failures > 0 ? Math.min(this.options.pollMs * 2 ** failures, 15_000) : this.options.pollMs;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  /** Publishes up to one batch of rows at least `olderThanMs` old; returns how many it sent. */
  async publishBatch(olderThanMs = 0): Promise<number> {
    const client = await this.pool.connect();
    try {
      // BEGIN with the claim, and the mark with COMMIT: two round trips per batch, not four.
      const [, claimed] = (await client.query(
        `BEGIN; SELECT id, event_id, exchange, routing_key, type, payload::text AS payload, trace_context, created_at
                  FROM outbox WHERE published_at IS NULL AND created_at <= clock_timestamp() - make_interval(secs => ${Math.max(0, olderThanMs) / 1000})
                  ORDER BY id LIMIT ${Math.trunc(this.options.batchSize)} FOR UPDATE SKIP LOCKED`,
      )) as unknown as [unknown, { rows: OutboxRow[] }];
      const rows = claimed.rows;
      if (rows.length === 0) {
        await client.query('COMMIT');
        return 0;
      }
      const pending = rows.map((r) => ({
        eventId: r.event_id,
        exchange: r.exchange,
        routingKey: r.routing_key,
        type: r.type,
        payload: r.payload,
        traceContext: r.trace_context,
      }));
      await Promise.all(pending.map((row) => publishPending(this.publisher, this.logger, row)));
      await client.query(
        `UPDATE outbox SET published_at = clock_timestamp() WHERE id IN (${rows.map((r) => Math.trunc(r.id)).join(',')}); COMMIT`,
      );
      for (const [i, row] of pending.entries()) observeOutboxLag(this.metrics, row, rows[i]!.created_at.getTime());
      return rows.length;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  async #pruneNow(): Promise<void> {
    const retention = this.options.retentionMs ?? 3_600_000;
    if (Date.now() - this.#lastPrune < 60_000) return;
    this.#lastPrune = Date.now();
    await this.pool.query(`DELETE FROM outbox WHERE published_at < now() - make_interval(secs => $1)`, [retention / 1000]);
  }
}
