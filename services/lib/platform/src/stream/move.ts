import { subscribed } from '@orderly/events';
import type { Channel, ChannelModel } from 'amqplib';
import type { Broker } from '../bus/broker.js';
import type { Pool } from '../db/pool.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Publisher } from '../outbound/publisher.js';
import type { Database } from '../transaction/transaction.js';
import { noOffset } from './offsets.js';
import { StreamReader, type StreamReaderOptions } from './reader.js';

/**
 * How long the old stream is read on after the new stream's first message went past: messages
 * routed before the new stream's binding existed can reach the old stream a moment after ones
 * routed later (two publishers' channels), never a second later.
 */
const settleMs = 1000;
/** Message ids the old stream handed over before the probe learnt the marker (a moment's worth). */
const recentKept = 10_000;
/** Producers' clocks may run behind the reader's database: the overlap claims reach this far past the move. */
const clockSkew = '5 minutes';

/** Whether the reader must move: it has a position in the stream it leaves and none in the new one. */
async function mustMove(pool: Pool, reader: string, to: string, from: string): Promise<boolean> {
  const { rows } = await pool.query<{ stream: string }>('SELECT stream FROM stream_offsets WHERE reader = $1 AND stream = ANY($2)', [
    reader,
    [to, from],
  ]);
  return rows.some((r) => r.stream === from) && !rows.some((r) => r.stream === to);
}

async function handled(pool: Pool, reader: string, eventId: string): Promise<boolean> {
  const { rowCount } = await pool.query('SELECT 1 FROM inbox WHERE consumer = $1 AND event_id = $2', [reader, eventId]);
  return (rowCount ?? 0) > 0;
}

/**
 * A stream reader that may first have to move from the stream it read before (decision 0031).
 * The new stream holds every message routed since its bindings exist; the old one everything
 * before as well. So the reader keeps reading the old stream, claiming every event id in the
 * inbox, until the new stream's first message has gone past (and a moment more); then it reads
 * the new stream from its first message, claiming the ids of the messages created before the move,
 * so that what both streams handed it is handled once. A crash anywhere starts the step again:
 * the offsets per (reader, stream) and the claims say what was done.
 */
export class MovingStreamReader {
  #reader: StreamReader | undefined;
  #marker: string | undefined;
  #recent: string[] = [];
  #passedAt: number | undefined;
  #watch: NodeJS.Timeout | undefined;
  #moving: Promise<void> | undefined;
  #stopped = false;

  constructor(
    private readonly options: StreamReaderOptions & { movedFrom?: string },
    private readonly db: Database,
    private readonly publisher: Publisher,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {}

  async attach(broker: Broker): Promise<void> {
    const { reader, stream, movedFrom } = this.options;
    if (!movedFrom || !(await mustMove(this.db.pool, reader, stream, movedFrom))) return this.#read(broker, this.options);
    this.logger.info({ reader, from: movedFrom, to: stream }, 'stream reader moving to a new stream');
    await broker.onConnect((model) => this.#probe(model));
    await this.#read(broker, {
      ...this.options,
      stream: movedFrom,
      // Every id claimed: the new stream hands over the same messages again.
      idempotent: false,
      passed: (ids) => {
        if (this.#marker === undefined) this.#recent = [...this.#recent, ...ids].slice(-recentKept);
        else if (ids.includes(this.#marker)) this.#passedAt ??= Date.now();
      },
    });
    this.#watch = setInterval(() => void this.#check(broker), 250);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#watch);
    await this.#moving;
    await this.#reader?.stop();
  }

  async #read(broker: Broker, options: StreamReaderOptions): Promise<void> {
    this.#reader = new StreamReader(options, this.db, this.publisher, this.metrics, this.logger);
    await this.#reader.attach(broker);
  }

  /**
   * Learns the new stream's first message this reader subscribes to (the others it does not need
   * from either stream): once the old stream has handed that over, the rest is in the new one.
   */
  async #probe(model: ChannelModel): Promise<void> {
    if (this.#marker || this.#stopped) return;
    const channel: Channel = await model.createChannel();
    channel.on('error', (err: Error) => this.logger.warn({ err }, 'stream move probe channel error'));
    await channel.prefetch(100);
    const { consumerTag } = await channel.consume(
      this.options.stream,
      (msg) => {
        if (!msg || this.#marker) return;
        channel.ack(msg);
        if (!subscribed(this.options.subscriptions, msg.fields.exchange, msg.fields.routingKey)) return;
        const marker = String(msg.properties.messageId ?? '');
        this.#marker = marker;
        if (this.#recent.includes(marker)) this.#passedAt ??= Date.now();
        this.#recent = [];
        this.logger.info({ reader: this.options.reader, marker: this.#marker }, 'stream move: the new stream has begun');
        void channel
          .cancel(consumerTag)
          .then(() => channel.close())
          .catch(() => {});
      },
      { arguments: { 'x-stream-offset': 'first' } },
    );
  }

  async #check(broker: Broker): Promise<void> {
    if (this.#moving || this.#stopped || !this.#marker) return;
    // Passed before a restart: the old reader's claim says so.
    if (this.#passedAt === undefined && (await handled(this.db.pool, this.options.reader, this.#marker).catch(() => false)))
      this.#passedAt = Date.now();
    if (this.#passedAt === undefined || Date.now() - this.#passedAt < settleMs) return;
    this.#moving = this.#move(broker).then(
      () => clearInterval(this.#watch),
      (err) => {
        // Each step can be taken again (the offsets and claims say what was done): the next tick does.
        this.logger.error({ err, reader: this.options.reader }, 'stream move failed; trying again');
        this.#moving = undefined;
      },
    );
  }

  async #move(broker: Broker): Promise<void> {
    const { reader, stream, movedFrom } = this.options;
    await this.#reader?.stop();
    if (this.#stopped) return;
    await this.db.pool.query(
      `INSERT INTO stream_offsets (reader, stream, "offset", claim_before) VALUES ($1, $2, $3, now() + interval '${clockSkew}')
       ON CONFLICT (reader, stream) DO NOTHING`,
      [reader, stream, noOffset],
    );
    this.logger.info({ reader, from: movedFrom, to: stream }, 'stream reader moved');
    await this.#read(broker, this.options);
  }
}
