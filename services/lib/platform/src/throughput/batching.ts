import { type Context, context } from '@opentelemetry/api';
import type { Message } from '../inbound/handlers.js';
import type { Database, PrepareBatch, Tx } from '../transaction/transaction.js';

interface Item {
  event: Message;
  work: (tx: Tx) => Promise<void>;
  ctx: Context;
  /** performance.now() when it arrived: a batch that is not full starts when its first has lingered. */
  arrivedAt: number;
  resolve(fresh: boolean): void;
  reject(err: unknown): void;
}

/**
 * Group commit: one transaction in flight per consumer, and the messages that arrive while it
 * runs are the next batch (up to maxSize). A transaction, its inbox claim and its commit are most
 * of what a message costs, so under load each costs a share of one; when idle a message waits
 * only for the end of its event-loop turn. Same contract as Database.handleOnce, per message: if
 * any message of a batch fails, the batch is rolled back and each message is handled again on
 * its own, so only the failing one retries or is parked. Batches never overlap, so one order's
 * messages are handled in the order they arrived; within a batch items run in subject order (the
 * order id) so that replicas of a service lock the same orders' rows in the same order.
 */
export class BatchedHandling {
  #pending: Item[] = [];
  #scheduled = false;
  #lingering: NodeJS.Timeout | undefined;
  #running = false;

  constructor(
    private readonly db: Database,
    private readonly consumer: string,
    private readonly maxSize: number,
    /** Run before a batch's work (and before a message handled alone): see PrepareBatch. */
    private readonly prepare?: PrepareBatch<Message>,
    /** Off the order's path only: how long a batch that is not full waits for more (0: to the end of the turn). */
    private readonly lingerMs = 0,
  ) {}

  handle(event: Message, work: (tx: Tx) => Promise<void>): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ event, work, ctx: context.active(), arrivedAt: performance.now(), resolve, reject });
      this.#schedule();
    });
  }

  /**
   * Starts a batch at the end of this turn (or once its first message has lingered, unless it is
   * full), unless one is running: then it starts when that one ends.
   */
  #schedule(): void {
    if (this.#lingering && this.#pending.length >= this.maxSize) {
      // Full while it lingered: no reason to wait longer.
      clearTimeout(this.#lingering);
      this.#lingering = undefined;
      this.#scheduled = false;
    }
    if (this.#running || this.#scheduled || this.#pending.length === 0) return;
    this.#scheduled = true;
    const waitMs = this.lingerMs - (performance.now() - this.#pending[0]!.arrivedAt);
    if (waitMs > 0 && this.#pending.length < this.maxSize)
      this.#lingering = setTimeout(() => {
        this.#lingering = undefined;
        void this.#flush();
      }, waitMs);
    else setImmediate(() => void this.#flush());
  }

  async #flush(): Promise<void> {
    this.#scheduled = false;
    const batch = this.#pending.splice(0, this.maxSize);
    if (batch.length === 0) return;
    this.#running = true;
    try {
      await this.#handle(batch);
    } finally {
      this.#running = false;
      this.#schedule();
    }
  }

  async #handle(batch: Item[]): Promise<void> {
    if (batch.length === 1) return this.#alone(batch[0]!);
    const ordered = [...batch].sort((a, b) => (a.event.subject < b.event.subject ? -1 : a.event.subject > b.event.subject ? 1 : 0));
    try {
      const handled = await this.db.handleMany(
        this.consumer,
        ordered.map((i) => ({
          eventId: i.event.id,
          eventTime: i.event.time,
          cause: i.event,
          run: (tx) => context.with(i.ctx, () => i.work(tx)),
        })),
        this.prepare,
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
    const { prepare } = this;
    const work = prepare
      ? async (tx: Tx) => {
          await prepare(tx, [i.event]);
          await i.work(tx);
        }
      : i.work;
    try {
      i.resolve(
        await context.with(i.ctx, () =>
          this.db.handleOnce({ consumer: this.consumer, eventId: i.event.id, eventTime: i.event.time }, i.event, work),
        ),
      );
    } catch (err) {
      i.reject(err);
    }
  }
}
