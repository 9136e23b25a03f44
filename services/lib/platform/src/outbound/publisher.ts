import type { ChannelModel, ConfirmChannel, Message, Options } from 'amqplib';
import type { Broker } from '../bus/broker.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';

export class BrokerUnavailableError extends Error {
  override name = 'BrokerUnavailableError';
}

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
 * Publishes persistent, mandatory messages on a confirm channel and resolves only when the broker
 * has taken responsibility for them (or rejects on nack, channel loss or timeout).
 */
export class Publisher {
  #channel: ConfirmChannel | undefined;
  #returned = new Set<string>();
  #model: ChannelModel | undefined;
  #reopening: NodeJS.Timeout | undefined;

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
    channel.on('error', (err: Error) => this.logger.warn({ err }, 'publisher channel error'));
    channel.on('close', () => {
      if (this.#channel !== channel) return;
      this.#channel = undefined;
      // The broker closes a channel for one refused publish (PRECONDITION_FAILED, ACCESS_REFUSED):
      // open another on the same connection rather than wait for a reconnect that never comes.
      this.#reopenSoon(model, 1);
    });
    this.#channel = channel;
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
          if (err) return reject(new Error(`broker refused message ${msg.messageId}`, { cause: err }));
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

/** A per-message TTL the broker accepts: a whole number of milliseconds, at least 0 (NaN becomes 0). */
export function expirationMs(ms: number): number {
  return Number.isFinite(ms) ? Math.max(0, Math.min(Math.trunc(ms), 2 ** 31 - 1)) : 0;
}
