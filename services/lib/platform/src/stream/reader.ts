import { subscribed } from '@orderly/events';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { backoffDelay } from '../backoff.js';
import type { Broker } from '../bus/broker.js';
import { databaseUnavailable } from '../db/unavailable.js';
import { handlerFor } from '../inbound/handlers.js';
import { producerProblem } from '../inbound/identity.js';
import { NotYetError } from '../inbound/not-yet.js';
import { ParkedMessages } from '../inbound/parked-messages.js';
import { PermanentError, parseEvent } from '../inbound/parse-event.js';
import { unreadable } from '../inbound/unreadable.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Publisher } from '../outbound/publisher.js';
import type { Database } from '../transaction/transaction.js';
import { type BatchCommitTarget, commitBatch } from './batch-commit.js';
import { Divert } from './divert.js';
import { oldestAge, reportPosition } from './lag.js';
import { claimsBefore, noOffset, type Position, storedOffset } from './offsets.js';
import type { StreamItem as Item, StreamReaderOptions } from './reader-options.js';
import { recordOutcome, type StreamOutcome } from './reader-outcome.js';
import { readerSpan, typeLabel } from './reader-span.js';

export type { StreamReaderOptions } from './reader-options.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Reads the event stream in batches, like group commit: one transaction in flight, and what
 * arrives meanwhile is the next batch. Each transaction holds the batch's effects and the
 * reader's offset, so a crash anywhere re-reads from the stored offset + 1 and nothing is done
 * twice; the ack after the commit only returns the broker's credit. A database outage holds the
 * batch and retries it without spending attempts; a message that fails on its own is diverted to
 * the reader's retry queue or parked (Divert), and the stream keeps flowing.
 */
export class StreamReader {
  #pending: Item[] = [];
  /** The batch being handled: out of #pending, not committed yet (the lag counts from it). */
  #inHand: Item[] = [];
  #running: Promise<void> | undefined;
  #lingering: NodeJS.Timeout | undefined;
  #channel: Channel | undefined;
  #model: ChannelModel | undefined;
  readonly #abandoned = new WeakSet<Channel>();
  #tag: string | undefined;
  #stopped = false;
  #committed = noOffset;
  #lastLag = 0;
  /** When the batch in hand started: each of its messages took that batch's time to handle. */
  #started = 0;
  /** Messages created before this (ms) are claimed in the inbox: the overlap of a move (move.ts). */
  #claimBefore: number | undefined;
  readonly #position: Position;
  readonly #target: BatchCommitTarget;
  readonly #divert: Divert;
  readonly #parked: ParkedMessages;

  constructor(
    private readonly options: StreamReaderOptions,
    private readonly db: Database,
    publisher: Publisher,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {
    this.#divert = new Divert(options.reader, publisher);
    this.#parked = new ParkedMessages(db.pool);
    this.#position = { reader: options.reader, stream: options.stream };
    this.#target = { db, reader: options.reader, position: this.#position, claims: (item) => this.#claims(item) };
    reportPosition(metrics.registry, options.reader, {
      stream: options.stream,
      committedOffset: () => this.#committed,
      lagSeconds: () => oldestAge(this.#inHand, this.#pending) ?? this.#lastLag,
    });
  }

  async attach(broker: Broker): Promise<void> {
    await broker.onConnect((model: ChannelModel) => this.#subscribe(model));
  }

  /** Reads from the stored offset + 1 on a new channel (at connect, and after a batch it could not finish). */
  async #subscribe(model: ChannelModel): Promise<void> {
    if (this.#stopped) return;
    this.#model = model;
    // A batch of the previous connection commits (or fails) before the offset is read again.
    await this.#running;
    this.#pending = [];
    this.#stopLingering();
    const stored = await this.#untilCommitted(() => storedOffset(this.db.pool, this.#position));
    this.#claimBefore = await this.#untilCommitted(() => claimsBefore(this.db.pool, this.#position));
    this.#committed = stored;
    const channel = await model.createChannel();
    channel.on('error', (err: Error) => this.logger.warn({ err }, 'stream reader channel error'));
    await channel.prefetch(this.options.prefetch);
    const from = stored === noOffset ? 'first' : { '!': 'long', value: stored + 1 };
    const { consumerTag } = await channel.consume(
      this.options.stream,
      (msg) => {
        if (!msg) return void this.logger.warn({ reader: this.options.reader }, 'stream reader cancelled by the broker');
        // What a channel given up still delivers is read again from the stored offset.
        if (!this.#abandoned.has(channel)) this.#received(channel, msg);
      },
      { arguments: { 'x-stream-offset': from } },
    );
    this.#channel = channel;
    this.#tag = consumerTag;
    this.logger.info({ reader: this.options.reader, stream: this.options.stream, from: stored + 1 }, 'reading the event stream');
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopLingering();
    if (this.#channel && this.#tag) await this.#channel.cancel(this.#tag).catch(() => {});
    await this.#running;
    await this.#channel?.close().catch(() => {});
  }

  #received(channel: Channel, msg: ConsumeMessage): void {
    const offset = Number(msg.properties.headers?.['x-stream-offset']);
    this.#pending.push({ msg, offset, channel, receivedAt: performance.now() });
    this.#next();
  }

  /** Starts the next batch once it is full or its first message has lingered (none while one runs). */
  #next(): void {
    if (this.#running || this.#stopped || this.#pending.length === 0) return;
    const waitMs = this.options.lingerMs - (performance.now() - this.#pending[0]!.receivedAt);
    if (this.#pending.length < this.options.batchSize && waitMs > 0) {
      this.#lingering ??= setTimeout(() => {
        this.#lingering = undefined;
        this.#next();
      }, waitMs);
      return;
    }
    this.#stopLingering();
    this.#running = this.#drain().finally(() => {
      this.#running = undefined;
      this.#next();
    });
  }

  #stopLingering(): void {
    clearTimeout(this.#lingering);
    this.#lingering = undefined;
  }

  async #drain(): Promise<void> {
    const batch = this.#pending.splice(0, this.options.batchSize);
    this.#inHand = batch;
    try {
      await this.#handle(batch);
    } catch (err) {
      // Only the broker can fail here (a copy not confirmed). The publishing connection is not this
      // one, so this channel may well be fine and go on delivering what follows: it is closed, and
      // the reader reads again from the stored offset, so no later commit moves past what was dropped.
      this.logger.error({ err, reader: this.options.reader }, 'stream batch not finished; will read it again');
      this.#pending = [];
      const [channel, model] = [this.#channel, this.#model];
      this.#channel = undefined;
      if (channel) this.#abandoned.add(channel);
      await channel?.close().catch(() => {});
      if (model)
        void this.#subscribe(model).catch((e: unknown) =>
          this.logger.warn({ err: e }, 'stream reader could not read again; waits for the next connection'),
        );
    } finally {
      this.#inHand = [];
    }
  }

  async #handle(batch: Item[]): Promise<void> {
    const { reader } = this.options;
    const handled: Item[] = [];
    for (const item of batch) {
      const parked = await this.#prepare(item);
      if (parked) this.metrics.consumed.inc({ queue: reader, type: typeLabel(item.msg.properties.type), outcome: 'dead_letter' });
      else if (item.work) handled.push(item);
    }
    const last = batch[batch.length - 1]!;
    this.#started = performance.now();
    // One message alone is its own attempt: not handled twice when it fails.
    if (handled.length === 1 && handled[0] === last) {
      await this.#alone(last);
      last.channel.ack(last.msg, true);
      return this.#passed(batch);
    }
    try {
      const duplicates = await this.#untilCommitted(() => this.#commit(handled, last.offset));
      this.#done(
        handled.filter((i) => !duplicates.has(i)),
        'ack',
      );
      this.#done([...duplicates], 'duplicate');
    } catch {
      // One of them fails on its own: each alone, so only that one leaves the stream.
      for (const item of handled) await this.#alone(item);
      await this.#untilCommitted(() => this.#commit([], last.offset));
    }
    last.channel.ack(last.msg, true);
    this.#passed(batch);
  }

  #passed(batch: Item[]): void {
    this.options.passed?.(batch.flatMap((i) => i.msg.properties.messageId ?? []));
  }

  /** Parses and checks one message; parks it (true) when it can never be handled. */
  async #prepare(item: Item): Promise<boolean> {
    const { msg } = item;
    if (!subscribed(this.options.subscriptions, msg.fields.exchange, msg.fields.routingKey)) return false;
    const publishedBy = text(msg.properties.userId);
    let problem: string | undefined;
    try {
      const refused = unreadable(msg.content, msg.properties.headers ?? {}, this.options.maxMessageBytes);
      if (refused) throw refused;
      const event = parseEvent(msg.content);
      // RabbitMQ checked user_id against the publishing connection's user: it names the producer.
      const forged = producerProblem(event, publishedBy, this.options.identity);
      const work = forged ? undefined : handlerFor(this.options.handlers, event);
      if (forged) problem = `PermanentError: refused: ${forged}`;
      else if (!work) problem = `Error: ${this.options.reader} has no handler for ${event.type}`;
      else Object.assign(item, { event, work, span: readerSpan(msg, this.options.stream, this.options.reader) });
    } catch (err) {
      problem = errText(err);
    }
    if (problem === undefined) return false;
    this.logger.error({ messageId: msg.properties.messageId, offset: item.offset, reason: problem }, 'stream message parked');
    await this.#divert.park(msg, problem, 1, publishedBy);
    return true;
  }

  /** The items' effects and the offset, in one transaction; what an earlier commit covered is skipped. */
  async #commit(items: Item[], offset: number): Promise<Set<Item>> {
    const duplicates = await commitBatch(this.#target, items, offset);
    if (offset > this.#committed) this.#committed = offset;
    return duplicates;
  }

  /** Whether the item's event id is claimed in the inbox: always unless idempotent, and in a move's overlap. */
  #claims(item: Item): boolean {
    if (!this.options.idempotent) return true;
    return this.#claimBefore !== undefined && Date.parse(item.event!.time) < this.#claimBefore;
  }

  async #alone(item: Item): Promise<void> {
    try {
      const duplicates = await this.#untilCommitted(() => this.#commit([item], item.offset));
      return this.#done([item], duplicates.size > 0 ? 'duplicate' : 'ack');
    } catch (err) {
      const { retry } = this.options;
      const publishedBy = text(item.msg.properties.userId);
      const reason = errText(err);
      if (err instanceof PermanentError || retry.maxAttempts <= 1) {
        // Its publisher passed the producer check: recorded, so the console can redrive it (decision 0024).
        if (publishedBy) await this.#untilCommitted(() => this.#parked.record(this.options.reader, publishedBy, item.msg.content));
        await this.#divert.park(item.msg, reason, 1, publishedBy);
        return this.#done([item], 'dead_letter');
      }
      this.logger.warn(
        { err, eventId: item.event?.id, reader: this.options.reader },
        'stream message failed; retried from the reader queue',
      );
      const notYet = err instanceof NotYetError;
      const delay = backoffDelay(1, retry.baseDelayMs, retry.maxDelayMs);
      await this.#divert.retry(item.msg, reason, notYet ? 1 : 2, publishedBy, delay, notYet ? Date.now() : undefined);
      return this.#done([item], 'retry');
    }
  }

  /** Runs fn until it succeeds or fails for a reason other than a database outage (which spends nothing). */
  async #untilCommitted<R>(fn: () => Promise<R>): Promise<R> {
    for (let waits = 1; ; waits++) {
      try {
        return await fn();
      } catch (err) {
        if (!databaseUnavailable(err) || this.#stopped) throw err;
        this.logger.warn({ err, reader: this.options.reader }, 'database unavailable; stream reader waits');
        const { baseDelayMs, maxDelayMs } = this.options.retry;
        await sleep(backoffDelay(waits, baseDelayMs, maxDelayMs));
      }
    }
  }

  #done(items: Item[], outcome: StreamOutcome): void {
    const lag = recordOutcome(this.metrics, this.options.reader, items, outcome, this.#started);
    if (lag !== undefined) this.#lastLag = lag;
  }
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const errText = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 1000);
