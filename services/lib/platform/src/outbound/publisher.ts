import type { ChannelModel, ConfirmChannel, Message, Options } from 'amqplib';
import type { Broker } from '../bus/broker.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';

export class BrokerUnavailableError extends Error {
  override name = 'BrokerUnavailableError';
}

/**
 * The broker would not take a message: it closed the channel for it (ACCESS_REFUSED: the user may
 * not write that exchange; NOT_FOUND: there is no such exchange) or nacked it. Sending the same
 * message again will not change that until an operator changes the broker. A refusal closes the
 * channel, so every other message in flight on it fails with the same error: only a message
 * refused when sent alone is known to be the one.
 */
export class PublishRefusedError extends Error {
  override name = 'PublishRefusedError';
  constructor(
    message: string,
    /** What the broker said, for whoever has to fix it. */
    readonly reason: string,
  ) {
    super(message);
  }
}

/** Channel-close codes that name the message, not the connection: 403 ACCESS_REFUSED, 404 NOT_FOUND. */
const refusalCodes = new Set([403, 404]);

export interface OutgoingMessage {
  exchange: string;
  routingKey: string;
  content: Buffer;
  messageId: string;
  type: string;
  /** The conversation the message belongs to (Orderly: the order id), as AMQP correlation_id. */
  correlationId?: string;
  headers?: Record<string, unknown>;
  expiration?: number;
}

/** false when the broker returned the message because no queue was bound for it. */
export type Routed = boolean;

/**
 * How long a copy (a retry, a park, a stream diversion) waits for the publishing connection, which
 * is not the consuming one, before it gives its message back (decision 0025).
 */
export const copyWaitMs = 5_000;

/**
 * Publishes persistent, mandatory messages on a confirm channel and resolves only when the broker
 * has taken responsibility for them (or rejects on nack, channel loss or timeout).
 */
export class Publisher {
  #channel: ConfirmChannel | undefined;
  #returned = new Set<string>();
  #model: ChannelModel | undefined;
  #reopening: NodeJS.Timeout | undefined;
  /** Why the broker closed each channel it closed, for the messages that were in flight on it. */
  readonly #closedFor = new WeakMap<ConfirmChannel, { code: number; message: string }>();
  #waiters: (() => void)[] = [];

  /**
   * @param userId the broker user the connection authenticates as: set as every message's
   * `user_id`, which RabbitMQ refuses unless it is the connection's own user, so consumers can
   * tell who published.
   */
  constructor(
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly userId: string,
    private readonly timeoutMs = 10_000,
  ) {}

  /** A confirm channel is open: publishing can work. */
  get connected(): boolean {
    return this.#channel !== undefined;
  }

  async attach(broker: Broker): Promise<void> {
    await broker.onConnect(async (model: ChannelModel) => {
      this.#model = model;
      model.once('close', () => {
        if (this.#model === model) this.#model = undefined;
      });
      await this.#open(model);
    });
  }

  async #open(model: ChannelModel): Promise<void> {
    const channel = await model.createConfirmChannel();
    channel.on('return', (msg: Message) => {
      if (msg.properties.messageId) this.#returned.add(msg.properties.messageId);
    });
    channel.on('error', (err: Error & { code?: unknown }) => {
      if (typeof err.code === 'number') this.#closedFor.set(channel, { code: err.code, message: err.message });
      this.logger.warn({ err }, 'publisher channel error');
    });
    channel.on('close', () => {
      if (this.#channel !== channel) return;
      this.#channel = undefined;
      // The broker closes a channel for one refused publish (PRECONDITION_FAILED, ACCESS_REFUSED):
      // open another on the same connection rather than wait for a reconnect that never comes.
      this.#reopenSoon(model, 1);
    });
    this.#channel = channel;
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /** Resolves once a confirm channel is open (at once if one is), or after timeoutMs regardless. */
  opened(timeoutMs: number): Promise<void> {
    if (this.#channel) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  #reopenSoon(model: ChannelModel, attempt: number): void {
    clearTimeout(this.#reopening);
    this.#reopening = setTimeout(
      () => {
        if (this.#model !== model || this.#channel) return;
        this.#open(model).then(
          () => this.logger.info({ attempt }, 'publisher channel reopened'),
          (err: Error) => {
            this.logger.warn({ err, attempt }, 'publisher channel could not be reopened; trying again');
            this.#reopenSoon(model, attempt + 1);
          },
        );
      },
      Math.min(100 * 2 ** (attempt - 1), 5_000),
    );
    this.#reopening.unref();
  }

  publish(msg: OutgoingMessage): Promise<Routed> {
    const channel = this.#channel;
    if (!channel) return Promise.reject(new BrokerUnavailableError('not connected to the broker'));
    const options: Options.Publish = {
      persistent: true,
      mandatory: true,
      contentType: 'application/cloudevents+json',
      messageId: msg.messageId,
      type: msg.type,
      ...(msg.correlationId ? { correlationId: msg.correlationId } : {}),
      timestamp: Math.floor(Date.now() / 1000),
      userId: this.userId,
      headers: msg.headers ?? {},
      ...(msg.expiration === undefined ? {} : { expiration: String(expirationMs(msg.expiration)) }),
    };
    return new Promise<Routed>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no confirm within ${this.timeoutMs} ms`)), this.timeoutMs);
      try {
        channel.publish(msg.exchange, msg.routingKey, msg.content, options, (err) => {
          clearTimeout(timer);
          if (err) return reject(failureOf(this.#closedFor.get(channel), msg, err));
          // A basic.return always arrives before the confirm of the same message.
          const routed = !this.#returned.delete(msg.messageId);
          if (routed) this.metrics.published.inc({ exchange: msg.exchange, type: msg.type });
          else this.metrics.unroutable.inc({ exchange: msg.exchange, type: msg.type });
          resolve(routed);
        });
      } catch (err) {
        clearTimeout(timer);
        reject(err);
      }
    });
  }
}

/** A refusal (the broker said no to this channel's messages, or nacked this one), or a plain failure. */
function failureOf(closed: { code: number; message: string } | undefined, msg: OutgoingMessage, err: Error): Error {
  if (closed && refusalCodes.has(closed.code)) {
    // "Channel closed by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - access to exchange …"": the broker's words.
    const said = /with message "(.*)"$/.exec(closed.message)?.[1] ?? closed.message;
    return new PublishRefusedError(`broker refused message ${msg.messageId}: ${said}`, said);
  }
  if (err.message === 'message nacked') return new PublishRefusedError(`broker nacked message ${msg.messageId}`, 'nacked by the broker');
  return new Error(`broker refused message ${msg.messageId}`, { cause: err });
}

/** A per-message TTL the broker accepts: a whole number of milliseconds, at least 0 (NaN becomes 0). */
export function expirationMs(ms: number): number {
  return Number.isFinite(ms) ? Math.max(0, Math.min(Math.trunc(ms), 2 ** 31 - 1)) : 0;
}
