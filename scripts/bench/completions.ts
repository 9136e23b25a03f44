/**
 * Observes each order's outcome without polling the API: an exclusive, auto-delete queue of the
 * bench bound to orderly.events with the terminal event types, consumed without acks. Each
 * decision is matched by data.orderId to the waiter registered when the order was accepted; a
 * decision that arrives before the 202 has been read is kept until the waiter comes.
 */
import amqp from 'amqplib';
import { amqpUrl } from './rabbit-api.ts';

export const terminalEvents = ['order.confirmed', 'order.rejected'] as const;
export type Outcome = 'confirmed' | 'rejected' | 'timeout';

export interface Decision {
  outcome: Outcome;
  /** performance.now() when the bench received the event. */
  atMs: number;
  reason?: string;
}

export class CompletionWatcher {
  /** Every decision matched to an order of the bench so far. */
  decidedTotal = 0;
  /** Every terminal event the bench's queue delivered (each is one broker delivery in the vhost). */
  received = 0;
  #waiters = new Map<string, (d: Decision) => void>();
  #early = new Map<string, Decision>();
  #connection?: amqp.ChannelModel;

  async start(exchange = 'orderly.events'): Promise<void> {
    const connection = await amqp.connect(amqpUrl(), { clientProperties: { connection_name: 'orderly-bench' } });
    this.#connection = connection;
    const channel = await connection.createChannel();
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
    for (const key of terminalEvents) await channel.bindQueue(queue, exchange, key);
    await channel.consume(queue, (msg) => msg && this.#receive(msg.content, msg.properties.type), { noAck: true });
  }

  #receive(body: Buffer, type: string | undefined) {
    const atMs = performance.now();
    this.received += 1;
    let orderId: string | undefined;
    let reason: string | undefined;
    let eventType = type;
    try {
      const event = JSON.parse(body.toString('utf8')) as { type?: string; subject?: string; data?: { orderId?: string; reason?: string } };
      orderId = event.data?.orderId ?? event.subject;
      reason = event.data?.reason;
      eventType ??= event.type;
    } catch {
      return;
    }
    if (!orderId) return;
    const decision: Decision = { outcome: eventType === 'order.rejected' ? 'rejected' : 'confirmed', atMs, ...(reason ? { reason } : {}) };
    const waiter = this.#waiters.get(orderId);
    if (waiter) {
      this.#waiters.delete(orderId);
      this.decidedTotal += 1;
      waiter(decision);
    } else if (!this.#early.has(orderId)) {
      this.#early.set(orderId, decision);
      if (this.#early.size > 100_000) this.#early.delete(this.#early.keys().next().value as string);
    }
  }

  /** Resolves with the order's decision, or { outcome: 'timeout' } after timeoutMs. */
  waitFor(orderId: string, timeoutMs: number): Promise<Decision> {
    const early = this.#early.get(orderId);
    if (early) {
      this.#early.delete(orderId);
      this.decidedTotal += 1;
      return Promise.resolve(early);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(orderId);
        resolve({ outcome: 'timeout', atMs: performance.now() });
      }, timeoutMs);
      this.#waiters.set(orderId, (d) => {
        clearTimeout(timer);
        resolve(d);
      });
    });
  }

  get pending(): number {
    return this.#waiters.size;
  }

  async stop(): Promise<void> {
    await this.#connection?.close().catch(() => undefined);
    this.#connection = undefined;
  }
}
