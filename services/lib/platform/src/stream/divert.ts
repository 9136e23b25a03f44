import { deadLetterExchange, forwardableHeaders, orderlyHeaders, retryExchange, retryQueue } from '@orderly/events';
import type { ConsumeMessage } from 'amqplib';
import type { Publisher } from '../outbound/publisher.js';

/**
 * Takes a stream message out of the reader's way, so the stream keeps flowing: a copy to the
 * reader's own retry queue (it comes back through the reader's queue, where the platform's
 * consumer retries it with back-off and parks it once its attempts are spent), or straight to the
 * reader's DLQ (parked with its reason, where the console's keeper finds it and can redrive it).
 * The copy is confirmed before the reader stores an offset past the original: at least once.
 */
export class Divert {
  constructor(
    private readonly reader: string,
    private readonly publisher: Publisher,
  ) {}

  /** Parks the message with why, the attempt it was on and who published it. */
  park(msg: ConsumeMessage, reason: string, attempt: number, publishedBy: string | undefined): Promise<void> {
    return this.#copy(msg, deadLetterExchange(this.reader), this.reader, {
      [orderlyHeaders.error]: reason,
      [orderlyHeaders.attempts]: attempt,
      [orderlyHeaders.failedAt]: new Date().toISOString(),
      [orderlyHeaders.publishedBy]: publishedBy ?? '',
    });
  }

  /**
   * Retries the message later through the reader's queue: `attempt` is the attempt the copy is on
   * (a wait for a message not yet here spends none), after `delayMs`.
   */
  retry(
    msg: ConsumeMessage,
    reason: string,
    attempt: number,
    publishedBy: string | undefined,
    delayMs: number,
    waitingSince?: number,
  ): Promise<void> {
    const headers = {
      [orderlyHeaders.attempt]: attempt,
      [orderlyHeaders.error]: reason,
      [orderlyHeaders.publishedBy]: publishedBy ?? '',
      ...(waitingSince === undefined ? {} : { [orderlyHeaders.waitingSince]: waitingSince }),
    };
    return this.#copy(msg, retryExchange(this.reader), retryQueue(this.reader), headers, delayMs);
  }

  async #copy(msg: ConsumeMessage, exchange: string, routingKey: string, extra: Record<string, unknown>, expiration?: number) {
    const headers = { ...forwardableHeaders(msg.properties.headers), ...extra };
    // The offset is the stream's, not the copy's.
    delete headers['x-stream-offset'];
    const routed = await this.publisher.publish({
      exchange,
      routingKey,
      content: msg.content,
      messageId: text(msg.properties.messageId)?.slice(0, 200) ?? '',
      type: text(msg.properties.type)?.slice(0, 200) ?? 'unknown',
      headers,
      ...(expiration === undefined ? {} : { expiration }),
    });
    if (!routed) throw new Error(`${exchange} has no queue bound for ${routingKey}`);
  }
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
