import { type Context, context } from '@opentelemetry/api';
import type { Database, Tx } from '../db/transaction.js';
import type { Message } from './handlers.js';

interface Item {
  event: Message;
  work: (tx: Tx) => Promise<void>;
  ctx: Context;
  resolve(fresh: boolean): void;
  reject(err: unknown): void;
}

/**
 * Handles the messages that arrive together (in one turn of the event loop, up to maxSize) in one
 * transaction instead of one each: a transaction, its inbox claim and its commit are most of what
 * a message costs. Same contract as Database.handleOnce, per message: if any message of a batch
 * fails, the batch is rolled back and each message is handled again on its own, so only the
 * failing one retries or is parked. Items run in subject order (the order id) so that two batches
 * lock the same orders' rows in the same order and cannot deadlock.
 */
export class BatchedHandling {
  #pending: Item[] = [];
  #scheduled = false;
  /** Subjects (orders) of the batches being handled: their later messages wait for them. */
  readonly #busy = new Set<string>();

  constructor(
    private readonly db: Database,
    private readonly consumer: string,
    private readonly maxSize: number,
  ) {}

  handle(event: Message, work: (tx: Tx) => Promise<void>): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ event, work, ctx: context.active(), resolve, reject });
      if (this.#pending.length >= this.maxSize) void this.#flush();
      else if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => void this.#flush());
      }
    });
  }

  /**
   * Takes what is pending, except the messages of an order a running batch is handling: those
   * wait for it, so one order's messages are handled in the order they arrived. (Sorted by order
   * in a later, smaller batch, payment.completed could otherwise lock the order before the running
   * batch reached its inventory.reserved, and be retried for a step not yet taken.)
   */
  async #flush(): Promise<void> {
    this.#scheduled = false;
    const batch: Item[] = [];
    const waiting: Item[] = [];
    for (const item of this.#pending) (this.#busy.has(item.event.subject) ? waiting : batch).push(item);
    this.#pending = waiting;
    if (batch.length === 0) return;
    // A subject taken here is in no other running batch (those were left waiting above).
    for (const i of batch) this.#busy.add(i.event.subject);
    try {
      await this.#handle(batch);
    } finally {
      for (const i of batch) this.#busy.delete(i.event.subject);
      if (this.#pending.length > 0 && !this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => void this.#flush());
      }
    }
  }

  async #handle(batch: Item[]): Promise<void> {
    if (batch.length === 1) return this.#alone(batch[0]!);
    const ordered = [...batch].sort((a, b) => (a.event.subject < b.event.subject ? -1 : a.event.subject > b.event.subject ? 1 : 0));
    try {
      const handled = await this.db.handleMany(
        this.consumer,
        ordered.map((i) => ({ eventId: i.event.id, cause: i.event, run: (tx) => context.with(i.ctx, () => i.work(tx)) })),
      );
      // A message appearing twice in a batch was handled once: the first copy.
      const seen = new Set<string>();
      for (const i of ordered) {
        i.resolve(handled.has(i.event.id) && !seen.has(i.event.id));
        seen.add(i.event.id);
      }
    } catch {
      // One by one, in arrival order (an order's messages must not overtake each other here either).
      for (const i of batch) await this.#alone(i);
    }
  }

  async #alone(i: Item): Promise<void> {
    try {
      i.resolve(await context.with(i.ctx, () => this.db.handleOnce({ consumer: this.consumer, eventId: i.event.id }, i.event, i.work)));
    } catch (err) {
      i.reject(err);
    }
  }
}
