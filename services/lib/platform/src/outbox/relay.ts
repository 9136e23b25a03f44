import { context, propagation, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import pg from 'pg';
import type { Publisher } from '../bus/publisher.js';
import { clientConfig, type Pool } from '../db/pool.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { PollLoop, type TickResult } from '../poll-loop.js';

export interface RelayOptions {
  databaseUrl: string;
  schema: string;
  pollMs: number;
  batchSize: number;
}

/** Sent rows are kept this long (for inspection) and then pruned. */
const retentionMs = 3_600_000;

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

const tracer = trace.getTracer('orderly-outbox');

/**
 * Publishes outbox rows with confirms and marks them sent. Woken by LISTEN/NOTIFY at commit,
 * with a polling fallback for a missed notification; FOR UPDATE SKIP LOCKED lets replicas share
 * the work. A crash between publish and mark-sent republishes the batch: consumers' inboxes
 * absorb the duplicate.
 */
export class OutboxRelay {
  readonly #loop: PollLoop;
  #listener: pg.Client | undefined;
  #lastPrune = 0;
  #failedTicks = 0;

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
    this.#loop = new PollLoop(() => this.#tick(), { name: 'outbox relay', everyMs: options.pollMs, logger });
  }

  async start(): Promise<void> {
    await this.#listen();
    await this.#loop.start();
  }

  /** Stops after publishing what is pending, so a rollout leaves nothing behind. */
  async stop(): Promise<void> {
    await this.#loop.stop();
    await this.#drain();
    await this.#listener?.end().catch(() => {});
  }

  async #listen(): Promise<void> {
    const client = new pg.Client(clientConfig(this.options.databaseUrl, this.options.schema));
    client.on('notification', () => this.#loop.wake());
    client.on('error', (err) => {
      // Polling carries on; the next tick listens again.
      this.logger.warn({ err }, 'outbox listener lost');
      this.#listener = undefined;
    });
    await client.connect();
    await client.query(`LISTEN "${this.options.schema}.outbox"`);
    this.#listener = client;
  }

  /** False once publishing has failed twice in a row (until it works again): readiness shows it. */
  get healthy(): boolean {
    return this.#failedTicks < 2;
  }

  async #tick(): Promise<TickResult> {
    if (!this.#listener) await this.#listen().catch(() => {});
    let published: number;
    try {
      published = await this.publishBatch();
      this.#failedTicks = 0;
    } catch (err) {
      this.#failedTicks += 1;
      throw err;
    }
    await this.#pruneNow();
    return published === this.options.batchSize ? 'more' : 'idle';
  }

  async #drain(): Promise<void> {
    try {
      let published: number;
      do published = await this.publishBatch();
      while (published > 0);
    } catch (err) {
      // What is left stays in the table for the next instance's relay.
      this.logger.warn({ err }, 'outbox drain at stop failed');
    }
  }

  /** Publishes up to one batch; returns how many rows it sent. */
  async publishBatch(): Promise<number> {
    const client = await this.pool.connect();
    try {
      // BEGIN with the claim, and the mark with COMMIT: two round trips per batch, not four.
      const [, claimed] = (await client.query(
        `BEGIN; SELECT id, event_id, exchange, routing_key, type, payload::text AS payload, trace_context, created_at
                  FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT ${Math.trunc(this.options.batchSize)} FOR UPDATE SKIP LOCKED`,
      )) as unknown as [unknown, { rows: OutboxRow[] }];
      const rows = claimed.rows;
      if (rows.length === 0) {
        await client.query('COMMIT');
        return 0;
      }
      await Promise.all(rows.map((row) => this.#publish(row)));
      await client.query(
        `UPDATE outbox SET published_at = clock_timestamp() WHERE id IN (${rows.map((r) => Math.trunc(r.id)).join(',')}); COMMIT`,
      );
      const now = Date.now();
      for (const row of rows) {
        // The exemplar is the trace that wrote the row (traceparent = version-traceid-spanid-flags).
        const traceId = row.trace_context.traceparent?.split('-')[1];
        this.metrics.outboxLag.observe({
          value: (now - row.created_at.getTime()) / 1000,
          labels: {},
          exemplarLabels: traceId ? { trace_id: traceId } : {},
        });
      }
      return rows.length;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  /** Publishes inside the trace that wrote the row, so the trace crosses the outbox. */
  async #publish(row: OutboxRow): Promise<void> {
    const parent = propagation.extract(ROOT_CONTEXT, row.trace_context);
    const span = tracer.startSpan(
      `${row.exchange} publish`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'rabbitmq',
          'messaging.operation.type': 'publish',
          'messaging.destination.name': row.exchange,
          'messaging.rabbitmq.destination.routing_key': row.routing_key,
          'messaging.message.id': row.event_id,
          'cloudevents.event_type': row.type,
        },
      },
      parent,
    );
    const headers: Record<string, string> = {};
    propagation.inject(trace.setSpan(parent, span), headers);
    try {
      const routed = await context.with(trace.setSpan(parent, span), () =>
        this.publisher.publish({
          exchange: row.exchange,
          routingKey: row.routing_key,
          content: Buffer.from(row.payload),
          messageId: row.event_id,
          type: row.type,
          headers,
        }),
      );
      // Nobody subscribes to this type (counted in orderly_messages_unroutable_total): publishing again would not change that.
      if (!routed) this.logger.debug({ type: row.type, eventId: row.event_id }, 'event had no subscriber');
    } finally {
      span.end();
    }
  }

  async #pruneNow(): Promise<void> {
    if (Date.now() - this.#lastPrune < 60_000) return;
    this.#lastPrune = Date.now();
    await this.pool.query(`DELETE FROM outbox WHERE published_at < now() - make_interval(secs => $1)`, [retentionMs / 1000]);
  }
}
