import type { Channel, ChannelModel } from 'amqplib';
import type { Broker } from '../bus/broker.js';
import type { Pool } from '../db/pool.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Publisher } from '../outbound/publisher.js';
import type { Database } from '../transaction/transaction.js';
import { MoveMarkers } from './move-markers.js';
import { noOffset } from './offsets.js';
import { StreamReader, type StreamReaderOptions } from './reader.js';

/**
 * How long the old stream is read on after the last marker went past: a message routed before a
 * binding of the new stream existed can reach the old stream a moment after one routed just after
 * (two publishers' channels deliver to the two streams independently), not a second later.
 */
const settleMs = 1000;
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

/** Which of these event ids the reader claimed in the inbox. */
async function claimed(pool: Pool, reader: string, ids: string[]): Promise<string[]> {
  const uuids = ids.filter((id) => /^[0-9a-f-]{36}$/i.test(id));
  const { rows } = await pool.query<{ id: string }>(
    'SELECT event_id::text AS id FROM inbox WHERE consumer = $1 AND event_id = ANY($2::uuid[])',
    [reader, uuids],
  );
  return rows.map((r) => r.id);
}

/**
 * A stream reader that may first have to move from the stream it read before (decision 0031).
 * The new stream holds every message routed since its bindings exist; the old one everything
 * before as well. So the reader keeps reading the old stream, claiming every event id in the
 * inbox, until the new stream's first message of each kind it takes has gone past (and a moment
 * more); then it reads the new stream from its first message, claiming the ids of the messages
 * created before the move, so that what both streams handed it is handled once. A crash anywhere starts the step again:
 * the offsets per (reader, stream) and the claims say what was done.
 */
export class MovingStreamReader {
  #reader: StreamReader | undefined;
  readonly #markers: MoveMarkers;
  #watch: NodeJS.Timeout | undefined;
  #moving: Promise<void> | undefined;
  #stopped = false;

  constructor(
    private readonly options: StreamReaderOptions & { movedFrom?: string },
    private readonly db: Database,
    private readonly publisher: Publisher,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {
    this.#markers = new MoveMarkers(options.subscriptions);
  }

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
      passed: (ids) => this.#markers.passed(ids),
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
   * Learns the new stream's first message of each subscription (the messages of kinds this reader
   * does not take it needs from neither stream): once the old stream has handed over a kind's
   * marker, the rest of that kind is in the new stream.
   */
  async #probe(model: ChannelModel): Promise<void> {
    if (!this.#markers.learning || this.#stopped) return;
    const channel: Channel = await model.createChannel();
    channel.on('error', (err: Error) => this.logger.warn({ err }, 'stream move probe channel error'));
    await channel.prefetch(100);
    const { consumerTag } = await channel.consume(
      this.options.stream,
      (msg) => {
        if (!msg || !this.#markers.learning) return;
        channel.ack(msg);
        this.#markers.learn(msg.fields.exchange, msg.fields.routingKey, String(msg.properties.messageId ?? ''));
        if (this.#markers.learning) return;
        this.logger.info({ reader: this.options.reader }, 'stream move: the new stream holds every kind this reader takes');
        void channel
          .cancel(consumerTag)
          .then(() => channel.close())
          .catch(() => {});
      },
      { arguments: { 'x-stream-offset': 'first' } },
    );
  }

  async #check(broker: Broker): Promise<void> {
    if (this.#moving || this.#stopped) return;
    // Passed before a restart: the old reader's claims say so.
    const unpassed = this.#markers.unpassed();
    if (unpassed.length > 0) this.#markers.passed(await claimed(this.db.pool, this.options.reader, unpassed).catch(() => []));
    const passedAt = this.#markers.allPassedAt();
    if (passedAt === undefined || Date.now() - passedAt < settleMs) return;
    // Another tick may have started the move while this one asked the inbox.
    if (this.#moving || this.#stopped) return;
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
