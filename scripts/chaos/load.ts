/**
 * Steady mixed load, open loop: happy orders, declined cards, out-of-stock and unknown products,
 * orders competing for a scarce SKU, cancellations racing the payment, and the same request sent
 * again with its Idempotency-Key. Every operation and every answer goes into the history.
 * A request that gets no answer (the service is down, hung or slow) is retried with the same
 * key, as a careful client would; one without a key is recorded as indeterminate.
 */
import { catalogue } from '@orderly/testkit';
import type { ChaosStack } from './chaos-stack.ts';
import type { History, Operation, OrderBody, WorkloadKind } from './history.ts';
import type { Random } from './random.ts';

export const plentifulSkus = [catalogue.tshirt, catalogue.book, catalogue.laptop] as const;
export const scarceSku = catalogue.scarce;
/** More than the scarce SKU ever holds: always out of stock. */
export const impossibleQty = 999;
export const plentifulStock = 100_000;

export const workloadWeights: Record<Exclude<WorkloadKind, 'canary'>, number> = {
  happy: 36,
  declined: 10,
  outOfStock: 6,
  unknownProduct: 6,
  contended: 12,
  cancelRace: 16,
  idempotentRetry: 14,
};

export interface LoadOptions {
  ratePerSecond: number;
  customers: number;
  runId: string;
  /** Most operations in flight at once; above it a tick is skipped (counted). */
  maxInFlight?: number;
}

const requestTimeoutMs = 10_000;
/** How long a client keeps retrying a request it has a key for. */
const retryForMs = 90_000;

export class LoadGenerator {
  #nextId = 1;
  #inFlight = new Set<Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  skipped = 0;

  constructor(
    private readonly chaos: ChaosStack,
    private readonly history: History,
    private readonly random: Random,
    private readonly options: LoadOptions,
  ) {}

  start(): void {
    const every = 1000 / this.options.ratePerSecond;
    this.#timer = setInterval(() => {
      if (this.#inFlight.size >= (this.options.maxInFlight ?? 150)) {
        this.skipped++;
        return;
      }
      this.spawn(this.random.weighted(workloadWeights));
    }, every);
  }

  /** Stops offering new operations and waits for the ones in flight. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await Promise.allSettled([...this.#inFlight]);
  }

  /** Starts one operation now (the load's own, a burst's, or a canary) and returns it. */
  spawn(kind: WorkloadKind): { op: Operation; done: Promise<void> } {
    const op = this.#newOperation(kind);
    const done = this.#run(op).catch((err) => {
      op.attempts.push({ at: Date.now(), error: `harness: ${(err as Error).message}` });
    });
    const tracked = done.finally(() => {
      op.endedAt = Date.now();
      this.history.record(op);
      this.#inFlight.delete(tracked);
    });
    this.#inFlight.add(tracked);
    return { op, done: tracked };
  }

  #newOperation(kind: WorkloadKind): Operation {
    const r = this.random;
    const n = r.int(1, this.options.customers);
    const customerId = `${this.options.runId}-C${n}`;
    const who = { customerId, email: `c${n}@chaos.example.com` };
    const plentiful = () => ({ sku: r.pick(plentifulSkus), qty: r.int(1, 3) });
    let body: OrderBody;
    switch (kind) {
      case 'declined':
        body = { ...who, items: [plentiful()], paymentMethod: 'pm_card_declined' };
        break;
      case 'outOfStock':
        body = { ...who, items: [{ sku: scarceSku, qty: impossibleQty }, plentiful()], paymentMethod: 'pm_card_visa' };
        break;
      case 'unknownProduct':
        body = { ...who, items: [plentiful(), { sku: `NO-SUCH-${r.int(1, 50)}`, qty: 1 }] };
        break;
      case 'contended':
        body = {
          ...who,
          items: [{ sku: scarceSku, qty: r.int(1, 2) }, ...(r.chance(0.5) ? [plentiful()] : [])],
          paymentMethod: 'pm_card_visa',
        };
        break;
      default:
        // happy, cancelRace, idempotentRetry, canary: one to three lines, some repeating a SKU.
        body = {
          ...who,
          items: Array.from({ length: r.int(1, 3) }, plentiful),
          ...(r.chance(0.7) ? { paymentMethod: 'pm_card_visa' } : {}),
        };
    }
    const id = this.#nextId++;
    // Most requests carry a key so a client can retry safely; some plain ones show what happens without.
    const keyed = kind !== 'happy' || r.chance(0.6);
    const op: Operation = {
      id,
      kind,
      customerId,
      body,
      ...(keyed ? { idempotencyKey: `${this.options.runId}-op-${id}` } : {}),
      startedAt: Date.now(),
      orderIds: [],
      indeterminate: false,
      attempts: [],
    };
    this.history.operations.push(op);
    return op;
  }

  async #run(op: Operation): Promise<void> {
    if (op.kind === 'idempotentRetry') {
      // The same request two or three times: at once (a double click) or after a pause (a retry).
      const copies = this.random.int(2, 3);
      const together = this.random.chance(0.5);
      if (together) await Promise.all(Array.from({ length: copies }, () => this.#place(op)));
      else {
        for (let i = 0; i < copies; i++) {
          await this.#place(op);
          await sleep(this.random.int(50, 1500));
        }
      }
    } else {
      await this.#place(op);
    }
    if (op.kind === 'cancelRace' && op.orderId) {
      await sleep(this.random.int(0, 600));
      await this.#cancel(op);
    }
  }

  /** Places the order; retries with the same key until an answer or retryForMs. */
  async #place(op: Operation): Promise<void> {
    const deadline = Date.now() + retryForMs;
    for (let attempt = 1; ; attempt++) {
      const at = Date.now();
      try {
        const res = await this.chaos.api.http('order', '/orders', {
          method: 'POST',
          json: op.body,
          headers: op.idempotencyKey ? { 'idempotency-key': op.idempotencyKey } : {},
          signal: AbortSignal.timeout(requestTimeoutMs),
        });
        const orderId = res.status === 202 || res.status === 200 ? (res.body?.orderId as string | undefined) : undefined;
        op.attempts.push({ at, status: res.status, ...(orderId ? { orderId } : {}) });
        if (orderId) {
          op.orderId ??= orderId;
          if (!op.orderIds.includes(orderId)) op.orderIds.push(orderId);
          op.indeterminate = false;
          return;
        }
        if (res.status < 500) return; // a 4xx is an answer: the order was not accepted
      } catch (err) {
        op.attempts.push({ at, error: (err as Error).name === 'TimeoutError' ? 'timeout' : (err as Error).message });
      }
      if (!op.orderId) op.indeterminate = true;
      if (!op.idempotencyKey || Date.now() > deadline) return;
      await sleep(Math.min(4000, 250 * 2 ** Math.min(attempt, 4)));
    }
  }

  async #cancel(op: Operation): Promise<void> {
    op.cancel = [];
    for (let attempt = 1; attempt <= 10; attempt++) {
      const at = Date.now();
      try {
        const res = await this.chaos.api.http('order', `/orders/${op.orderId}/cancel`, {
          method: 'POST',
          signal: AbortSignal.timeout(requestTimeoutMs),
        });
        op.cancel.push({ at, status: res.status, orderStatus: res.body?.status });
        if (res.status < 500) return;
      } catch (err) {
        op.cancel.push({ at, error: (err as Error).name === 'TimeoutError' ? 'timeout' : (err as Error).message });
      }
      await sleep(Math.min(4000, 250 * 2 ** attempt));
    }
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
