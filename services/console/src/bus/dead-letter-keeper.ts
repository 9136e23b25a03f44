import { setTimeout as sleep } from 'node:timers/promises';
import { deadLetterQueue } from '@orderly/events';
import { backoffDelay, type Logger, type Worker } from '@orderly/platform';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { ConsoleBroker } from './console-broker.js';

/** Records one parked message; true when it was new. Throws when it could not be recorded. */
export type RecordParked = (queue: string, msg: ConsumeMessage) => Promise<boolean>;

/** Thrown by a RecordParked that will never record this message, however often it tries: it is quarantined. */
export class UnrecordableError extends Error {
  override name = 'UnrecordableError';
}

export interface KeeperOptions {
  /** The consumer queues whose `<queue>.dlq` the keeper empties into the table. */
  queues: string[];
  prefetch: number;
}

/**
 * Takes every message parked in each queue's DLQ, records it, and only then acknowledges it: the
 * table is what is parked, the DLQ only a pipe (decision 0011). A message that cannot be recorded
 * (the database is down) stays unacknowledged and is tried again in this process with back-off —
 * never returned to the DLQ, whose redeliveries the broker may count and limit. One that can never
 * be recorded (UnrecordableError) is rejected into the quarantine queue instead of jamming the DLQ. If the process dies
 * in between, the broker delivers it again and the row's delivery key makes that a no-op.
 */
export class DeadLetterKeeper implements Worker {
  #channel: Channel | undefined;
  #inFlight = new Set<Promise<void>>();
  #stopping = new AbortController();
  #consuming = false;

  constructor(
    private readonly broker: ConsoleBroker,
    private readonly record: RecordParked,
    private readonly options: KeeperOptions,
    private readonly logger: Logger,
    /** Counts a message sent to quarantine. */
    private readonly quarantined: (labels: { queue: string }) => void = () => {},
  ) {}

  /** Consuming every DLQ now (for readiness). */
  get consuming(): boolean {
    return this.#consuming;
  }

  async start(): Promise<void> {
    await this.broker.broker.onConnect(async (model: ChannelModel) => {
      if (this.#stopping.signal.aborted) return;
      this.#consuming = false;
      const channel = await model.createChannel();
      channel.on('error', (err: Error) => this.logger.warn({ err }, 'dead-letter keeper channel error'));
      channel.on('close', () => {
        if (this.#channel === channel) this.#consuming = false;
      });
      await channel.prefetch(this.options.prefetch);
      this.#channel = channel;
      // A DLQ that does not exist yet fails this set-up: the broker connection is made again, with back-off.
      for (const queue of this.options.queues) {
        await channel.consume(deadLetterQueue(queue), (msg) => {
          if (!msg) return void this.logger.warn({ queue }, 'dead-letter consumer cancelled by the broker');
          const work = this.#keep(channel, queue, msg).finally(() => this.#inFlight.delete(work));
          this.#inFlight.add(work);
        });
      }
      this.#consuming = true;
      this.logger.info({ queues: this.options.queues.length }, 'recording dead letters');
    });
  }

  async stop(): Promise<void> {
    this.#stopping.abort();
    this.#consuming = false;
    // Closing the channel returns what is not acknowledged yet; what is being recorded finishes first.
    await Promise.allSettled([...this.#inFlight]);
    await this.#channel?.close().catch(() => {});
  }

  async #keep(channel: Channel, queue: string, msg: ConsumeMessage): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const fresh = await this.record(queue, msg);
        if (!fresh) this.logger.info({ queue, messageId: msg.properties.messageId }, 'parked message recorded before; acknowledging it');
        break;
      } catch (err) {
        if (err instanceof UnrecordableError) return this.#quarantine(channel, queue, msg, err);
        if (this.#stopping.signal.aborted) return; // left unacknowledged: the broker delivers it again
        const delayMs = backoffDelay(attempt, 250, 15_000);
        this.logger.warn({ err, queue, attempt, delayMs }, 'could not record a parked message; trying again');
        await sleep(delayMs, undefined, { signal: this.#stopping.signal }).catch(() => undefined);
        if (this.#stopping.signal.aborted) return;
      }
    }
    try {
      channel.ack(msg);
    } catch {
      // The channel is gone: the message comes again and is found recorded.
    }
  }

  /** Rejected without requeue: the DLQ's policy dead-letters it to the quarantine queue (decision 0025). */
  #quarantine(channel: Channel, queue: string, msg: ConsumeMessage, err: Error): void {
    this.quarantined({ queue });
    this.logger.error({ err, queue, messageId: msg.properties.messageId }, 'a parked message cannot be recorded; quarantined');
    try {
      channel.reject(msg, false);
    } catch {
      // The channel is gone: it comes again, and fails the same way.
    }
  }
}
