import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { deadLetterExchange, forwardableHeaders, isMessageType, orderlyHeaders, retryExchange, retryQueue } from '@orderly/events';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { backoffDelay } from '../backoff.js';
import type { Broker } from '../bus/broker.js';
import { databaseUnavailable } from '../db/unavailable.js';
import type { Logger } from '../logger.js';
import { type Metrics, observeLatency } from '../metrics.js';
import { publishCopy } from '../outbound/copy.js';
import { copyWaitMs, type Publisher } from '../outbound/publisher.js';
import { outcomeErrorType, processSpan } from '../telemetry/messaging-spans.js';
import { BatchedHandling } from '../throughput/batching.js';
import type { Database } from '../transaction/transaction.js';
import { Acks } from './acks.js';
import type { ConsumerOptions } from './consumer-options.js';
import { admit, afterFailure, errText } from './decide.js';
import { NotYetError } from './not-yet.js';
import { ParkedMessages } from './parked-messages.js';
import { PermanentError } from './parse-event.js';
import { checkRedrive } from './redrive-check.js';
import { attemptHeader, attemptOf, errorHeader, publishedByHeader, sinceOr, waitingSinceHeader } from './retry-headers.js';
import { unreadable } from './unreadable.js';

export type { ConsumerOptions } from './consumer-options.js';
export type { AnyHandler, Handler, Handlers, Message } from './handlers.js';
export { NotYetError } from './not-yet.js';
export { PermanentError, parseEvent } from './parse-event.js';
export { attemptHeader, attemptOf, errorHeader, publishedByHeader, waitingSinceHeader } from './retry-headers.js';
export { forwardableHeaders };

/** A label value from a closed set: the catalog's types, or "other" (label values must stay few). */
const typeLabel = (type: unknown) => (typeof type === 'string' && isMessageType(type) ? type : 'other');

type Outcome = 'ack' | 'duplicate' | 'retry' | 'dead_letter';
const tracer = trace.getTracer('orderly-bus');

/**
 * Consumes one queue with explicit prefetch. Each message is validated, then handled in one
 * transaction together with its inbox row, and acknowledged only after commit. A failure is
 * republished to <queue>.retry with back-off, or parked in <queue>.dlq with its error once the
 * attempts are spent (or at once when the message is malformed).
 */
export class Consumer {
  #channel: Channel | undefined;
  #acks: Acks | undefined;
  #tag: string | undefined;
  #inFlight = new Set<Promise<void>>();
  #stopped = false;
  #batches: BatchedHandling | undefined;
  readonly #parked: ParkedMessages;

  constructor(
    private readonly options: ConsumerOptions,
    private readonly db: Database,
    private readonly publisher: Publisher,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {
    if ((options.batchSize ?? 1) > 1)
      this.#batches = new BatchedHandling(db, options.queue, options.batchSize!, options.prepareBatch, options.lingerMs);
    this.#parked = new ParkedMessages(db.pool);
  }

  async attach(broker: Broker): Promise<void> {
    await broker.onConnect(async (model: ChannelModel) => {
      if (this.#stopped) return;
      const channel = await model.createChannel();
      channel.on('error', (err: Error) => this.logger.warn({ err }, 'consumer channel error'));
      await channel.prefetch(this.options.prefetch);
      const acks = new Acks(channel);
      this.#channel = channel;
      this.#acks = acks;
      const { consumerTag } = await channel.consume(this.options.queue, (msg) => {
        if (!msg) {
          this.logger.warn({ queue: this.options.queue }, 'consumer cancelled by the broker');
          return;
        }
        acks.received(msg);
        const work = this.#handle(acks, msg).finally(() => this.#inFlight.delete(work));
        this.#inFlight.add(work);
      });
      this.#tag = consumerTag;
    });
  }

  /** Stops taking deliveries and waits for the ones in hand to finish. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#channel && this.#tag) await this.#channel.cancel(this.#tag).catch(() => {});
    await Promise.allSettled([...this.#inFlight]);
    this.#acks?.flush();
    await this.#channel?.close().catch(() => {});
  }

  async #handle(acks: Acks, msg: ConsumeMessage): Promise<void> {
    const { queue } = this.options;
    const headers = isRecord(msg.properties.headers) ? msg.properties.headers : {};
    const type = typeLabel(msg.properties.type);
    const parent = propagation.extract(ROOT_CONTEXT, headers);
    const { name, attributes } = processSpan({
      exchange: msg.fields.exchange,
      routingKey: msg.fields.routingKey,
      queue,
      deliveryTag: msg.fields.deliveryTag,
      messageId: String(msg.properties.messageId ?? ''),
      type,
      conversationId: stringOr(msg.properties.correlationId),
    });
    const span = tracer.startSpan(name, { kind: SpanKind.CONSUMER, attributes }, parent);
    const started = performance.now();
    const outcome = await context.with(trace.setSpan(parent, span), async () => {
      const result = await this.#process(acks, msg, type, headers);
      observeLatency(this.metrics.handleDuration, { queue, type }, (performance.now() - started) / 1000);
      return result;
    });
    this.metrics.consumed.inc({ queue, type, outcome });
    span.setAttribute('orderly.outcome', outcome);
    const errorType = outcomeErrorType(outcome);
    if (errorType) span.setAttribute('error.type', errorType).setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  }

  async #process(acks: Acks, msg: ConsumeMessage, type: string, headers: Record<string, unknown>): Promise<Outcome> {
    const { queue, handlers, retry, identity, redriveUser } = this.options;
    // Only a copy this consumer sent through its own retry exchange, or the console redrove through
    // it, carries an attempt count and an original publisher worth believing; on anything else
    // those headers are ignored. RabbitMQ checks user_id against the publishing connection's user.
    const copier = stringOr(msg.properties.userId);
    const viaRetry = msg.fields.exchange === retryExchange(queue);
    const redriver = viaRetry && copier !== undefined && copier !== identity.user && copier === redriveUser ? copier : undefined;
    // The console's copy names a publisher; it is believed only if this consumer parked these bytes from it.
    const check = redriver ? await this.#checkRedrive(redriver, msg, headers) : undefined;
    if (redriver && !check) {
      acks.nack(msg); // stopping before the database answered: it goes back to the queue
      return 'retry';
    }
    if (redriver && check && !check.verified)
      return this.#parkedRefused(acks, msg, new PermanentError(`refused: ${check.reason}`), redriver, check.claimed);
    const retried = viaRetry && (copier === identity.user || check?.verified === true);
    const attempt = retried ? attemptOf(headers[attemptHeader], retry.maxAttempts) : 1;
    const publishedBy = retried ? stringOr(headers[publishedByHeader]) : copier;
    const refused = unreadable(msg.content, headers, this.options.maxMessageBytes);
    if (refused) return this.#park(acks, msg, refused, attempt, publishedBy);
    const admitted = admit(msg.content, publishedBy, identity, handlers, queue);
    if (!admitted.handle) return this.#park(acks, msg, admitted.error, attempt, publishedBy);
    const { event, work } = admitted;
    // A redelivery may be the broker's to dead-letter at the delivery limit: recorded, so it can be redriven.
    if (msg.fields.redelivered && !retried && publishedBy) await this.#record(publishedBy, msg);
    try {
      const fresh = this.#batches
        ? await this.#batches.handle(event, work)
        : await this.db.handleOnce({ consumer: queue, eventId: event.id, eventTime: event.time }, event, work);
      const outcome = fresh ? ('ack' as const) : ('duplicate' as const);
      acks.ack(msg);
      if (outcome === 'ack') {
        const from = event.source.replace('orderly/', '');
        observeLatency(this.metrics.hopLatency, { from, to: queue }, (Date.now() - Date.parse(event.time)) / 1000);
      }
      return outcome;
    } catch (err) {
      // The database could not be reached, or the message it needs has not arrived: not the
      // message's fault. It waits the longest back-off and comes back without spending an attempt,
      // so an outage longer than the retry budget parks nothing (decision 0010).
      const notYet = err instanceof NotYetError;
      const outage = databaseUnavailable(err) || notYet;
      const now = Date.now();
      const waitingSince = notYet && retried ? sinceOr(headers[waitingSinceHeader], now) : now;
      const next = afterFailure(err, {
        attempt,
        maxAttempts: retry.maxAttempts,
        outage,
        notYet,
        waitingSince,
        now,
        notYetMaxWaitMs: retry.notYetMaxWaitMs,
      });
      if (next.park) {
        // Its publisher is verified: a copy the console redrives later is believed (decision 0024).
        await this.#record(publishedBy!, msg);
        return this.#park(acks, msg, next.error, attempt, publishedBy);
      }
      this.logger.warn(
        { err, eventId: event.id, type, attempt },
        outage ? 'database unavailable; will retry' : 'handler failed; will retry',
      );
      const delay = backoffDelay(next.delayAttempt, retry.baseDelayMs, retry.maxDelayMs);
      const retryHeaders = {
        [attemptHeader]: next.nextAttempt,
        [errorHeader]: errText(err),
        [publishedByHeader]: publishedBy,
        ...(next.waitingSince === undefined ? {} : { [waitingSinceHeader]: next.waitingSince }),
      };
      await this.#forward(acks, msg, retryExchange(queue), retryQueue(queue), retryHeaders, delay);
      return 'retry';
    }
  }

  async #park(
    acks: Acks,
    msg: ConsumeMessage,
    err: Error,
    attempt: number,
    publishedBy: string | undefined,
    extraHeaders: Record<string, unknown> = {},
  ): Promise<Outcome> {
    this.logger.error({ err, messageId: msg.properties.messageId, type: typeLabel(msg.properties.type), attempt }, 'message dead-lettered');
    await this.#forward(acks, msg, deadLetterExchange(this.options.queue), this.options.queue, {
      [errorHeader]: errText(err),
      [orderlyHeaders.attempts]: attempt,
      [orderlyHeaders.failedAt]: new Date().toISOString(),
      [publishedByHeader]: publishedBy ?? '',
      ...extraHeaders,
    });
    return 'dead_letter';
  }

  /** A redriven copy that is not what this consumer parked: parked as from whoever sent it, marked refused for the audit log. */
  #parkedRefused(acks: Acks, msg: ConsumeMessage, err: Error, sentBy: string, claimed: string): Promise<Outcome> {
    return this.#park(acks, msg, err, 1, sentBy, { [orderlyHeaders.refusedRedrive]: claimed || '(none)' });
  }

  #checkRedrive(sentBy: string, msg: ConsumeMessage, headers: Record<string, unknown>) {
    const copy = { queue: this.options.queue, body: msg.content, claimed: stringOr(headers[publishedByHeader]), sentBy };
    return checkRedrive(this.#parked, copy, { stopped: () => this.#stopped, logger: this.logger });
  }

  /** Records a message from a verified publisher as parked; a failure parks it anyway, unredrivable, and says so. */
  async #record(publishedBy: string, msg: ConsumeMessage): Promise<void> {
    await this.#parked
      .record(this.options.queue, publishedBy, msg.content)
      .catch((err) =>
        this.logger.error(
          { err, messageId: msg.properties.messageId },
          'could not record a parked message: a redrive of it will be refused',
        ),
      );
  }

  /**
   * Republishes a copy with confirms, then acks the original: at least once, never zero times.
   * The publishing connection is not this one: while it reconnects the copy waits for it (a few
   * seconds, holding the delivery), rather than send the original round the queue at once and
   * spend its delivery limit in milliseconds. If the copy still cannot be published the original
   * goes back to the queue, and the broker's delivery limit stops it from looping for ever.
   */
  async #forward(
    acks: Acks,
    msg: ConsumeMessage,
    exchange: string,
    routingKey: string,
    extraHeaders: Record<string, unknown>,
    expiration?: number,
  ): Promise<void> {
    try {
      await this.publisher.opened(copyWaitMs);
      await publishCopy(this.publisher, msg, { exchange, routingKey, ...(expiration === undefined ? {} : { expiration }) }, extraHeaders);
      acks.ack(msg);
    } catch (err) {
      this.logger.error({ err, exchange, routingKey }, 'could not forward message; returning it to the queue');
      acks.nack(msg);
    }
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
const stringOr = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
