import type { ChannelModel, ConfirmChannel, Message, Options } from 'amqplib';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Broker } from './broker.js';

export class BrokerUnavailableError extends Error {
  override name = 'BrokerUnavailableError';
}

export interface OutgoingMessage {
  exchange: string;
  routingKey: string;
  content: Buffer;
  messageId: string;
  type: string;
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

  constructor(
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly timeoutMs = 10_000,
  ) {}

  async attach(broker: Broker): Promise<void> {
    await broker.onConnect(async (model: ChannelModel) => {
      const channel = await model.createConfirmChannel();
      channel.on('return', (msg: Message) => {
        if (msg.properties.messageId) this.#returned.add(msg.properties.messageId);
      });
      channel.on('error', (err: Error) => this.logger.warn({ err }, 'publisher channel error'));
      channel.on('close', () => {
        if (this.#channel === channel) this.#channel = undefined;
      });
      this.#channel = channel;
    });
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
      timestamp: Math.floor(Date.now() / 1000),
      headers: msg.headers ?? {},
      ...(msg.expiration === undefined ? {} : { expiration: String(msg.expiration) }),
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
