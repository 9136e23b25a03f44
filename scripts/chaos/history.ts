/**
 * The operation history, Jepsen-style: every request the load generator made (when it started and
 * ended, what it sent, what came back) and every fault (when it began and healed). The invariant
 * checker reads it to know what each order's inputs imply, and a violation prints the part of it
 * that concerns the order.
 */
import { createWriteStream, type WriteStream } from 'node:fs';

export type WorkloadKind =
  | 'happy'
  | 'declined'
  | 'outOfStock'
  | 'unknownProduct'
  | 'contended'
  | 'cancelRace'
  | 'idempotentRetry'
  | 'canary';

export interface OrderBody {
  customerId: string;
  email: string;
  items: { sku: string; qty: number }[];
  paymentMethod?: string;
}

/** One business operation (an order placed, possibly retried and cancelled). */
export interface Operation {
  id: number;
  kind: WorkloadKind;
  customerId: string;
  body: OrderBody;
  idempotencyKey?: string;
  startedAt: number;
  endedAt?: number;
  /** The order id the API gave back (202), once. */
  orderId?: string;
  /** Every order id any attempt got back: more than one for the same key is a violation. */
  orderIds: string[];
  /** Placement never got an answer (timeouts, refused connections, 5xx): the order may or may not exist. */
  indeterminate: boolean;
  attempts: { at: number; status?: number; error?: string; orderId?: string }[];
  cancel?: { at: number; status?: number; orderStatus?: string; error?: string }[];
}

export interface FaultRecord {
  seq: number;
  kind: string;
  detail: string;
  startedAt: number;
  /** When the fault was lifted (or, for one-shot faults, injected). */
  healedAt?: number;
  /** Heal → a fresh order decided; undefined when it did not recover in time. */
  recoveryMs?: number;
  error?: string;
}

export class History {
  readonly operations: Operation[] = [];
  readonly faults: FaultRecord[] = [];
  readonly events: { at: number; what: string }[] = [];
  #log: WriteStream | undefined;

  constructor(logPath?: string) {
    if (logPath) this.#log = createWriteStream(logPath);
  }

  note(what: string): void {
    const e = { at: Date.now(), what };
    this.events.push(e);
    this.#log?.write(`${JSON.stringify({ note: e })}\n`);
  }

  record(op: Operation): void {
    this.#log?.write(`${JSON.stringify({ op })}\n`);
  }

  recordFault(f: FaultRecord): void {
    this.#log?.write(`${JSON.stringify({ fault: f })}\n`);
  }

  byOrderId(): Map<string, Operation> {
    const map = new Map<string, Operation>();
    for (const op of this.operations) for (const id of op.orderIds) map.set(id, op);
    return map;
  }

  /** The faults active within `marginMs` of [from, to]. */
  faultsAround(from: number, to: number, marginMs = 5_000): FaultRecord[] {
    return this.faults.filter((f) => f.startedAt <= to + marginMs && (f.healedAt ?? Date.now()) >= from - marginMs);
  }

  async close(): Promise<void> {
    const log = this.#log;
    if (log) await new Promise((r) => log.end(r));
  }
}
