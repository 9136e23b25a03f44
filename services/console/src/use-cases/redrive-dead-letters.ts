import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { isMessageType, retryExchange, retryQueue } from '@orderly/events';
import { type Database, type Logger, type Publisher, sendErrorType, sendSpan, type TickResult } from '@orderly/platform';
import type { Pacer } from '../bus/pacer.js';
import { redriveHeaders } from '../domain/redrive.js';
import type { ConsoleMetrics } from '../metrics.js';
import {
  type Chosen,
  finishRedrive,
  type Queryable,
  type Redrivable,
  stalledRedrives,
  startRedrives,
} from '../store/dead-letter-status-store.js';
import { databaseNow } from '../store/dead-letters-store.js';
import { emitRedriven } from './operator-action.js';

/** Rows moved to redriving per transaction: each batch's audit events commit with it. */
const batchSize = 100;
const tracer = trace.getTracer('orderly-console');

/** The most one request redrives; what matches beyond it stays parked for the next. */
export const maxPerAction = 10_000;

export interface RedriveOutcome {
  /** Sent back to their queues and confirmed by the broker. */
  redriven: number;
  /** Recorded as redriving, not confirmed yet (the broker refused or was unreachable): resumed later. */
  pending: number;
}

/**
 * Sends parked messages back to their own queues, exactly once (decision 0011): parked →
 * redriving in one transaction with the operator-action event, then the copy through the queue's
 * retry exchange with a broker confirm, then → redriven. A redrive interrupted after its
 * transaction (the process died, the broker refused) is finished by resume(); if its copy had gone
 * out, the consumer's inbox absorbs the second one.
 */
export class Redrives {
  constructor(
    private readonly db: Database,
    private readonly publisher: Publisher,
    private readonly pacer: Pacer,
    private readonly metrics: ConsoleMetrics,
    private readonly logger: Logger,
  ) {}

  async redrive(chosen: Chosen, operator: string, reason: string | undefined): Promise<RedriveOutcome> {
    const recordedBy = await databaseNow(this.db.pool);
    let redriven = 0;
    while (redriven < maxPerAction) {
      const batch = await this.db.transaction(async (tx) => {
        const rows = await startRedrives(tx, { ...chosen, recordedBy }, operator, reason, Math.min(batchSize, maxPerAction - redriven));
        for (const row of rows) emitRedriven(tx, row, operator, reason);
        return rows;
      });
      if (batch.length === 0) break;
      for (const [i, row] of batch.entries()) {
        try {
          await this.#send(row, this.db.pool);
        } catch (err) {
          this.logger.error({ err, queue: row.queue, deadLetterId: row.id }, 'redrive not confirmed; it will be resumed');
          return { redriven, pending: batch.length - i };
        }
        redriven += 1;
      }
      this.logger.info({ operator, redriven }, 'parked messages redriven');
    }
    return { redriven, pending: 0 };
  }

  /** Finishes one redrive left half-done for olderThanS, if any (a PollLoop tick). */
  async resume(olderThanS: number): Promise<TickResult> {
    const resumed = await this.db.transaction(async (tx) => {
      const [row] = await stalledRedrives(tx, olderThanS, 1);
      if (!row) return false;
      this.logger.warn({ queue: row.queue, deadLetterId: row.id }, 'resuming a redrive left half-done');
      await this.#send(row, tx);
      return true;
    });
    return resumed ? 'more' : 'idle';
  }

  async #send(row: Redrivable, db: Queryable): Promise<void> {
    await this.pacer.take();
    const exchange = retryExchange(row.queue);
    const routingKey = retryQueue(row.queue);
    // The type property only labels metrics: from the catalog, or "unknown".
    const type = row.type !== null && isMessageType(row.type) ? row.type : 'unknown';
    const headers = redriveHeaders(row.headers, row.publishedBy, row.redrives);
    // The copy continues the message's own trace (the order's): its send span is a child of the
    // parked message's context and links to the operator's request that redrove it, and the copy
    // carries the send span's context, so the consumer's span follows the redrive.
    const parent = propagation.extract(ROOT_CONTEXT, headers);
    const operatorSpan = trace.getActiveSpan()?.spanContext();
    // The order is the conversation, as on every message of it (the copy's correlation id too).
    const conversationId = row.orderId ?? undefined;
    const { name, attributes } = sendSpan({ exchange, routingKey, messageId: row.messageId ?? '', type, conversationId });
    const span = tracer.startSpan(
      name,
      {
        kind: SpanKind.PRODUCER,
        attributes: { ...attributes, 'orderly.redrive': row.redrives },
        ...(operatorSpan && trace.isSpanContextValid(operatorSpan) ? { links: [{ context: operatorSpan }] } : {}),
      },
      parent,
    );
    propagation.inject(trace.setSpan(parent, span), headers);
    try {
      const routed = await context.with(trace.setSpan(parent, span), () =>
        this.publisher.publish({
          exchange,
          routingKey,
          content: row.body,
          messageId: row.messageId ?? '',
          type,
          correlationId: conversationId,
          headers,
          // At once: through the retry queue (so the copy arrives as a retry does) without waiting there.
          expiration: 0,
        }),
      );
      if (!routed) throw new Error(`${exchange} has no queue bound for ${routingKey}`);
    } catch (err) {
      span.setAttribute('error.type', sendErrorType(err));
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      span.end();
    }
    await finishRedrive(db, row.id);
    this.metrics.actions.inc({ queue: row.queue, action: 'redrive' });
  }
}
