import { context, propagation, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import pg from 'pg';
import type { Publisher } from '../bus/publisher.js';
import { clientConfig, type Pool } from '../db/pool.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';

export interface RelayOptions {
  databaseUrl: string;
  schema: string;
  pollMs: number;
  batchSize: number;
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

const tracer = trace.getTracer('orderly-outbox');

/**
 * Publishes outbox rows with confirms and marks them sent. Woken by LISTEN/NOTIFY at commit,
 * with a polling fallback for a missed notification; FOR UPDATE SKIP LOCKED lets replicas share
 * the work. A crash between publish and mark-sent republishes the batch: consumers' inboxes
 * absorb the duplicate.
 */
export class OutboxRelay {
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #listener: pg.Client | undefined;
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

  async start(): Promise<void> {
    this.#running = true;
    await this.#listen();
    this.#loop = this.#run();
  }

  /** Stops after publishing what is pending, so a rollout leaves nothing behind. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
    await this.#listener?.end().catch(() => {});
  }

  async #listen(): Promise<void> {
    const client = new pg.Client(clientConfig(this.options.databaseUrl, this.options.schema));
    client.on('notification', () => this.#wake?.());
    client.on('error', (err) => {
      // Polling carries on; the next listen attempt happens on the next idle wait.
      this.logger.warn({ err }, 'outbox listener lost');
      this.#listener = undefined;
    });
    await client.connect();
    await client.query(`LISTEN "${this.options.schema}.outbox"`);
    this.#listener = client;
  }

  async #run(): Promise<void> {
    let failures = 0;
    for (;;) {
      let published = 0;
      try {
        published = await this.publishBatch();
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
      if (!this.#listener && this.#running) await this.#listen().catch(() => {});
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
    const retention = this.options.retentionMs ?? 3_600_000;
    if (Date.now() - this.#lastPrune < 60_000) return;
    this.#lastPrune = Date.now();
    await this.pool.query(`DELETE FROM outbox WHERE published_at < now() - make_interval(secs => $1)`, [retention / 1000]);
  }
}
