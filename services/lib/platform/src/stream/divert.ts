import { deadLetterExchange, orderlyHeaders, retryExchange, retryQueue } from '@orderly/events';
import type { ConsumeMessage } from 'amqplib';
import { publishCopy } from '../outbound/copy.js';
import { copyWaitMs, type Publisher } from '../outbound/publisher.js';

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
    // The publishing connection is not the reading one: while it reconnects, the copy waits for it.
    await this.publisher.opened(copyWaitMs);
    // The offset is the stream's, not the copy's.
    return publishCopy(this.publisher, msg, { exchange, routingKey, ...(expiration === undefined ? {} : { expiration }) }, extra, [
      'x-stream-offset',
    ]);
  }
}
