import { PassThrough } from 'node:stream';
import type { Logger } from '@orderly/platform';
import type { Context } from 'koa';
import { nextCursor, type ServicesClient } from './services-client.js';
import { orderView } from './views.js';

/** What the browser is sent for each new or changed order. */
export interface OrderChange {
  id: string;
  status: string;
  updatedAt: string;
  [field: string]: unknown;
}

interface Subscriber {
  stream: PassThrough;
  token: string;
  /** The token's expiry (ms): the stream ends then, and the page signs in again. */
  expiresAt: number;
  /** False once the caller's session has ended (signed out): the stream ends too. */
  stillSignedIn: () => boolean;
  lastWriteAt: number;
}

export interface LiveOrdersOptions {
  pollMs?: number;
  /** Changes per request to the order service (its limit without a customer is 200). */
  pageSize?: number;
  /** Pages read per poll at most (2,000 changes a second); past that, some changes show only when the page is reloaded. */
  maxPages?: number;
  heartbeatMs?: number;
  now?: () => number;
}

/**
 * New orders and status changes as Server-Sent Events. While at least one browser listens, the
 * order service's operator list is asked once per pollMs for orders updated since the last change
 * seen, with a listening operator's own token; with nobody listening nothing runs. Each change is
 * sent once to every listener (the cursor is the latest updatedAt seen, and the orders already
 * sent at that instant are remembered, so changes in the same millisecond are neither lost nor repeated).
 */
export class LiveOrders {
  readonly #subscribers = new Set<Subscriber>();
  readonly #pollMs: number;
  readonly #pageSize: number;
  readonly #maxPages: number;
  readonly #heartbeatMs: number;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #cursor = '';
  #sentAtCursor = new Set<string>();
  #polls = 0;

  constructor(
    private readonly services: ServicesClient,
    private readonly logger: Logger,
    { pollMs = 1000, pageSize = 200, maxPages = 10, heartbeatMs = 15_000, now = Date.now }: LiveOrdersOptions = {},
  ) {
    this.#pollMs = pollMs;
    this.#pageSize = pageSize;
    this.#maxPages = maxPages;
    this.#heartbeatMs = heartbeatMs;
    this.#now = now;
  }

  /** How many times the order service has been asked (for tests: it stays put while nobody listens). */
  get polls(): number {
    return this.#polls;
  }

  get listeners(): number {
    return this.#subscribers.size;
  }

  /** Turns the request into an event stream for this caller. */
  subscribe(ctx: Context, token: string, expiresAt: number, stillSignedIn: () => boolean = () => true): void {
    const stream = new PassThrough();
    const subscriber: Subscriber = { stream, token, expiresAt, stillSignedIn, lastWriteAt: this.#now() };
    ctx.req.socket.setTimeout(0);
    ctx.req.socket.setNoDelay(true);
    ctx.status = 200;
    ctx.type = 'text/event-stream';
    ctx.set('X-Accel-Buffering', 'no');
    ctx.body = stream;
    stream.write('retry: 3000\n\n');
    const leave = () => {
      this.#subscribers.delete(subscriber);
      if (this.#subscribers.size === 0) this.#halt();
    };
    ctx.res.once('close', leave);
    stream.once('close', leave);
    this.#subscribers.add(subscriber);
    if (!this.#timer) {
      // Changes from just before the page connected are sent too; the page merges them by id.
      this.#cursor = new Date(this.#now() - 2 * this.#pollMs).toISOString();
      this.#sentAtCursor.clear();
      this.#schedule();
    }
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      this.#tick().then(
        () => this.#subscribers.size > 0 && this.#schedule(),
        (err: unknown) => {
          this.logger.warn({ err }, 'live orders: poll failed');
          if (this.#subscribers.size > 0) this.#schedule();
        },
      );
    }, this.#pollMs);
  }

  #halt(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #tick(): Promise<void> {
    const now = this.#now();
    for (const s of this.#subscribers) {
      if (s.expiresAt <= now || !s.stillSignedIn()) this.#end(s, 'signed-out');
    }
    const caller = [...this.#subscribers].sort((a, b) => b.expiresAt - a.expiresAt)[0];
    if (!caller) return;
    // Everything updated since the cursor, a page at a time (the list is newest first, so all pages
    // are read before the cursor moves).
    const changed: OrderChange[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < this.#maxPages; page++) {
      this.#polls += 1;
      const query = new URLSearchParams({ updatedSince: this.#cursor, limit: String(this.#pageSize), ...(cursor ? { cursor } : {}) });
      const answer = await this.services.get('order', `/orders?${query}`, caller.token, orderView.array());
      if (!answer.ok) {
        this.#broadcast('problem', { error: answer.error });
        return;
      }
      changed.push(...answer.body.map(asChange));
      cursor = nextCursor(answer.headers);
      if (!cursor) break;
    }
    const fresh = changed
      .filter((o) => o.updatedAt > this.#cursor || (o.updatedAt === this.#cursor && !this.#sentAtCursor.has(`${o.id}/${o.status}`)))
      .sort((a, b) => (a.updatedAt < b.updatedAt ? -1 : a.updatedAt > b.updatedAt ? 1 : 0));
    for (const order of fresh) {
      if (order.updatedAt > this.#cursor) {
        this.#cursor = order.updatedAt;
        this.#sentAtCursor = new Set();
      }
      this.#sentAtCursor.add(`${order.id}/${order.status}`);
      this.#broadcast('order', order);
    }
    for (const s of this.#subscribers) {
      if (now - s.lastWriteAt >= this.#heartbeatMs) this.#write(s, ': still here\n\n');
    }
  }

  #broadcast(event: string, data: unknown): void {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const s of this.#subscribers) this.#write(s, frame);
  }

  #write(s: Subscriber, frame: string): void {
    s.lastWriteAt = this.#now();
    s.stream.write(frame);
  }

  #end(s: Subscriber, event: string): void {
    s.stream.end(`event: ${event}\ndata: {}\n\n`);
    this.#subscribers.delete(s);
  }

  /** Ends every stream (the service is stopping: an open stream would hold the HTTP server open). */
  async stop(): Promise<void> {
    for (const s of [...this.#subscribers]) this.#end(s, 'closing');
    this.#halt();
  }

  async start(): Promise<void> {}
}

/** An order of the operator list as a change: its id under `id`, times as ISO strings. */
function asChange(order: Record<string, unknown>): OrderChange {
  const id = String(order.orderId ?? order.id);
  return { ...order, id, status: String(order.status), updatedAt: new Date(String(order.updatedAt)).toISOString() };
}
