import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { named } from '../db/named.js';
import type { Pool, PoolClient } from '../db/pool.js';
import type { Logger } from '../logger.js';
import { type Metrics, traceparentExemplar } from '../metrics.js';
import { PollLoop, type TickResult } from '../poll-loop.js';
import { sendErrorType, sendSpan } from '../telemetry/messaging-spans.js';
import type { WrittenRow } from '../transaction/outbox-writer.js';
import { outboxCounts, type Parking, parkRows } from './parked-rows.js';
import { type Publisher, PublishRefusedError } from './publisher.js';
import { markSent, SentMarks } from './sent-marks.js';

export interface RelayOptions {
  /** The wait between sweeps for rows no commit of this process handed over (another instance's, left at a crash). */
  pollMs: number;
  /** A row is swept only when it has waited this long unsent: the instance that wrote it has had its chance. */
  sweepAfterMs: number;
  /** How long confirmed rows wait to be marked sent together. */
  markMs: number;
  batchSize: number;
}

const sweepRows = `SELECT id, event_id AS "eventId", exchange, routing_key AS "routingKey", type, payload::text AS payload,
         subject, trace_context AS "traceContext", (extract(epoch FROM created_at) * 1000)::float8 AS "writtenAt",
         confirmed_at IS NOT NULL AS "confirmedBefore"
    FROM outbox WHERE published_at IS NULL AND parked_at IS NULL AND created_at < clock_timestamp() - make_interval(secs => $1::float8 / 1000)
   ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`;

const tracer = trace.getTracer('orderly-outbox');

/** A row the sweep took: one the broker confirmed before is being published again after a reconnect. */
interface SweptRow extends WrittenRow {
  confirmedBefore?: boolean;
}

interface Park {
  row: SweptRow;
  reason: string;
}

/** A row no queue took: every type is bound at least to the event stream, so this is a topology gone wrong. */
const unroutable = 'unroutable: no queue is bound for it';

/** The metric's label: the kind of refusal, not the broker's whole sentence (a bounded set of values). */
function reasonLabel(reason: string): string {
  if (reason === unroutable) return 'unroutable';
  return /^[A-Z_]+/.exec(reason)?.[0]?.toLowerCase() ?? 'nacked';
}

/**
 * Publishes outbox rows with confirms (decision 0012). The transaction that wrote them hands them
 * over once committed, and they are published at once from memory, then marked sent in batches
 * (SentMarks): no NOTIFY, no read back, no transaction per publish. A sweep every pollMs publishes
 * what no live writer did — rows left by an instance that stopped, or whose publish failed — with
 * FOR UPDATE SKIP LOCKED, so replicas share it. A crash between publish and mark republishes the
 * row: consumers' inboxes absorb the duplicate.
 *
 * A row the broker will not take (refused, nacked, or routed to no queue) is parked with the
 * broker's reason rather than retried ahead of every later row (decision 0022): counted, alerted
 * on, listed and republished by an operator through the admin routes. A row the broker confirmed
 * before a reconnect (republish.ts) is not parked when its second publish is refused: its first
 * copy was delivered, so it is marked sent again and the refusal is counted and logged.
 */
export class OutboxRelay {
  readonly #loop: PollLoop;
  readonly #marks: SentMarks;
  /** Rows of this process being published from memory: the sweep leaves them alone. */
  readonly #inFlight = new Map<number, Promise<void>>();
  #failures = 0;

  constructor(
    private readonly pool: Pool,
    private readonly publisher: Publisher,
    private readonly options: RelayOptions,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {
    metrics.setOutboxSource(() => outboxCounts(pool));
    this.#marks = new SentMarks(pool, options.markMs, logger);
    this.#loop = new PollLoop(() => this.#sweep(options.sweepAfterMs), { name: 'outbox relay', everyMs: options.pollMs, logger });
  }

  async start(): Promise<void> {
    await this.#loop.start();
  }

  /** Rows a transaction of this process has committed: published now, in the order written. */
  committed(rows: readonly WrittenRow[]): void {
    for (const row of rows) {
      if (!Number.isSafeInteger(row.id)) continue; // not returned by the insert: the sweep has it
      const work = this.#publish(row).then(
        async (routed) => {
          this.#failures = 0;
          if (routed) this.#marks.add(row.id);
          else
            await this.#park(this.pool, [{ row, reason: unroutable }]).catch((err: unknown) =>
              this.logger.warn({ err, eventId: row.eventId }, 'could not park an unroutable outbox row; the sweep will try it again'),
            );
        },
        (err: unknown) => {
          // A refusal says nothing about the broker's health: the sweep finds which row it was and parks it.
          if (!(err instanceof PublishRefusedError)) this.#failures += 1;
          this.logger.warn({ err, eventId: row.eventId }, 'outbox publish failed; the sweep will retry it');
        },
      );
      this.#inFlight.set(row.id, work);
      void work.finally(() => this.#inFlight.delete(row.id));
    }
  }

  /** Stops after publishing what is pending, so a rollout leaves nothing behind. */
  async stop(): Promise<void> {
    await this.#loop.stop();
    await Promise.allSettled([...this.#inFlight.values()]);
    await this.#marks.flush();
    try {
      while ((await this.#sweep(0)) === 'more');
    } catch (err) {
      // What is left stays in the table for the next instance's sweep.
      this.logger.warn({ err }, 'outbox drain at stop failed');
    }
  }

  /** False once publishing has failed twice in a row (until it works again): readiness shows it. */
  get healthy(): boolean {
    return this.#failures < 2;
  }

  /** Publishes one batch of rows that waited longer than minAgeMs unsent, and marks them in the same transaction. */
  async #sweep(minAgeMs: number): Promise<TickResult> {
    const client = await this.pool.connect();
    let swept = 0;
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<SweptRow>(named(sweepRows, [minAgeMs, Math.trunc(this.options.batchSize)]));
      const mine = rows.filter((r) => !this.#inFlight.has(r.id));
      const { sent, parked: refused, failed } = await this.#publishAll(mine);
      const parked = refused.filter((p) => p.row.confirmedBefore !== true);
      const refusedAgain = refused.filter((p) => p.row.confirmedBefore === true);
      sent.push(...refusedAgain.map((p) => p.row.id));
      if (sent.length > 0) await markSent(client, sent);
      if (parked.length > 0) await this.#park(client, parked);
      await client.query('COMMIT');
      // Once committed: a sweep rolled back takes the same rows again and would count them twice.
      this.#countRefusedAgain(refusedAgain);
      swept = rows.length;
      // Rows that could not be sent for a reason other than their own (a broker outage) stay for the next sweep.
      if (failed.length > 0) throw failed[0];
      this.#failures = 0;
    } catch (err) {
      this.#failures += 1;
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
    return swept === this.options.batchSize ? 'more' : 'idle';
  }

  /**
   * Publishes a batch at once. A refusal closes the channel and fails every publish in flight on
   * it, so the rows that failed that way are sent again one at a time: one refused alone is parked,
   * the others are sent.
   */
  async #publishAll(rows: readonly SweptRow[]): Promise<{ sent: number[]; parked: Park[]; failed: unknown[] }> {
    const sent: number[] = [];
    const parked: Park[] = [];
    const failed: unknown[] = [];
    const suspects: SweptRow[] = [];
    const outcomes = await Promise.allSettled(rows.map((row) => this.#publish(row)));
    outcomes.forEach((outcome, i) => {
      const row = rows[i]!;
      if (outcome.status === 'fulfilled') {
        if (outcome.value) sent.push(row.id);
        else parked.push({ row, reason: unroutable });
      } else if (outcome.reason instanceof PublishRefusedError) suspects.push(row);
      else failed.push(outcome.reason);
    });
    for (const row of suspects) {
      // The refusal closed the channel; the publisher opens another at once.
      await this.publisher.opened(this.options.pollMs);
      try {
        if (await this.#publish(row)) sent.push(row.id);
        else parked.push({ row, reason: unroutable });
      } catch (err) {
        if (err instanceof PublishRefusedError) parked.push({ row, reason: err.reason });
        else {
          // The broker itself is in trouble: the remaining suspects wait for the next sweep, not each for a channel.
          failed.push(err);
          break;
        }
      }
    }
    return { sent, parked, failed };
  }

  /**
   * Second publishes the broker refused, of rows it had confirmed once. The first copy was delivered;
   * what may be missing is only what a crashed broker lost of it (the stream's copy, so the audit
   * log's record): nothing this service may still send, so it is said, not parked.
   */
  #countRefusedAgain(refused: readonly Park[]): void {
    for (const { row, reason } of refused) {
      this.metrics.outboxRepublishRefused.inc({ exchange: row.exchange, type: row.type, reason: reasonLabel(reason) });
      this.logger.warn(
        { eventId: row.eventId, type: row.type, exchange: row.exchange, reason },
        'the broker refused to take a recently confirmed row again after a reconnect; its first copy was confirmed, so it stays sent',
      );
    }
  }

  async #park(db: Pool | PoolClient, parked: readonly Park[]): Promise<void> {
    await parkRows(
      db,
      parked.map(({ row, reason }): Parking => ({ id: row.id, reason })),
    );
    for (const { row, reason } of parked) {
      this.metrics.outboxParked.inc({ exchange: row.exchange, type: row.type, reason: reasonLabel(reason) });
      this.logger.error(
        { eventId: row.eventId, type: row.type, exchange: row.exchange, reason },
        'outbox row parked: the broker will not take it; the relay goes on with the others (republish it from the admin routes)',
      );
    }
  }

  /** Publishes inside the trace that wrote the row, so the trace crosses the outbox; false when no queue took it. */
  async #publish(row: WrittenRow): Promise<boolean> {
    const parent = propagation.extract(ROOT_CONTEXT, row.traceContext);
    // The subject is the conversation: every message of one order carries its id (null only on rows sent before migration 007).
    const conversationId = row.subject ?? undefined;
    const { name, attributes } = sendSpan({
      exchange: row.exchange,
      routingKey: row.routingKey,
      messageId: row.eventId,
      type: row.type,
      conversationId,
    });
    const span = tracer.startSpan(name, { kind: SpanKind.PRODUCER, attributes }, parent);
    const headers: Record<string, string> = {};
    propagation.inject(trace.setSpan(parent, span), headers);
    try {
      const routed = await context.with(trace.setSpan(parent, span), () =>
        this.publisher.publish({
          exchange: row.exchange,
          routingKey: row.routingKey,
          content: Buffer.from(row.payload),
          messageId: row.eventId,
          type: row.type,
          headers,
          correlationId: conversationId,
        }),
      );
      // The exemplar is the trace that wrote the row, when that trace was sampled (exported).
      this.metrics.outboxLag.observe({
        value: (Date.now() - row.writtenAt) / 1000,
        labels: {},
        exemplarLabels: traceparentExemplar(row.traceContext.traceparent),
      });
      return routed;
    } catch (err) {
      span.setAttribute('error.type', sendErrorType(err)).setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      span.end();
    }
  }
}
