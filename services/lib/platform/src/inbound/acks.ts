import type { Channel, ConsumeMessage } from 'amqplib';

/**
 * Acknowledges a channel's deliveries in runs: the messages done since the last turn of the event
 * loop, in delivery order from the oldest outstanding one, go as one `ack` with `multiple`
 * (what a batch handled in one transaction becomes). One the broker would see done out of order,
 * behind a message still in hand, is acknowledged on its own at once, so a slow message never
 * holds back the others' acks (and with them the prefetch window).
 */
export class Acks {
  /** Delivery tags still unacknowledged, oldest first (the broker numbers them in order). */
  readonly #outstanding: ConsumeMessage[] = [];
  readonly #done = new Set<ConsumeMessage>();
  #scheduled = false;

  constructor(private readonly channel: Channel) {}

  received(msg: ConsumeMessage): void {
    this.#outstanding.push(msg);
  }

  /** Done: acknowledged by the end of this turn. */
  ack(msg: ConsumeMessage): void {
    this.#done.add(msg);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Back to the queue, now. */
  nack(msg: ConsumeMessage): void {
    this.#forget(msg);
    tolerateClosed(() => this.channel.nack(msg, false, true));
  }

  /** Sends what is done (also called before the channel closes). */
  flush(): void {
    this.#scheduled = false;
    let last: ConsumeMessage | undefined;
    while (this.#outstanding.length > 0 && this.#done.has(this.#outstanding[0]!)) {
      last = this.#outstanding.shift();
      if (last) this.#done.delete(last);
    }
    if (last) {
      const upTo = last;
      tolerateClosed(() => this.channel.ack(upTo, true));
    }
    for (const msg of this.#done) {
      this.#forget(msg);
      tolerateClosed(() => this.channel.ack(msg));
    }
  }

  #forget(msg: ConsumeMessage): void {
    this.#done.delete(msg);
    const i = this.#outstanding.indexOf(msg);
    if (i >= 0) this.#outstanding.splice(i, 1);
  }
}

function tolerateClosed(fn: () => void): void {
  try {
    fn();
  } catch {
    // The channel is gone: the broker redelivers what was not acknowledged, and the inbox absorbs it.
  }
}
