import { context, propagation } from '@opentelemetry/api';
import {
  type Cause,
  type Envelope,
  type EventData,
  findTextIssue,
  type MessageType,
  messages,
  newEnvelope,
  routeOf,
} from '@orderly/events';
import type { Query } from '../db/named.js';
import type { Pool } from '../db/pool.js';
import { type Claim, claim, claimMany } from './inbox.js';
import type { OutboxRow, WrittenRow } from './outbox-writer.js';
import { QueuedWrites, type RowBatch } from './queued-rows.js';
import { beginClaiming, commitWith, HandledBefore, prepared } from './round-trips.js';

/** A transaction that can also emit messages (events, commands): they reach the outbox in the same commit. */
export interface Tx {
  query: Query;
  /**
   * `causedBy` overrides the cause the transaction was run with (the message being handled), for
   * work that takes several steps with causes of their own in one set-based statement (timers).
   */
  emit<T extends MessageType>(type: T, subject: string, data: EventData<T>, causedBy?: Cause): Envelope;
  /**
   * A write whose result nobody reads, sent with the COMMIT in the same round trip instead of on
   * its own. Statements run in the order queued, after every `query`. Its failure fails the commit
   * (and so the handler): do not queue a statement whose error the handler means to catch.
   */
  queueForCommit(text: string, values?: unknown[]): void;
  /**
   * A row of a batch's statement, queued like queueForCommit: all the transaction's rows of one
   * batch go as one statement, which runs where its first row was queued among the others.
   */
  queueRowForCommit<Row extends readonly unknown[]>(batch: RowBatch<Row>, row: Row): void;
  /** Runs fn once the transaction has committed (metrics, logs): never for one that rolls back. */
  afterCommit(fn: () => void): void;
  /**
   * A value that lives as long as this transaction, shared by every message's work in it (made by
   * `key.init` on first use): a batch's locked rows, read once and kept up to date by each message.
   */
  local<T>(key: TxLocal<T>): T;
  /** True in a dry run (Database.dryRun): everything will be rolled back, so nothing may happen outside the database. */
  readonly dryRun: boolean;
  /**
   * An effect outside the database (a mail): runs fn, except in a dry run, where fn is not called
   * and `skipped` (e.g. "email channel: not sent in a dry run") is reported instead.
   */
  outside(skipped: string, fn: () => Promise<void>): Promise<void>;
}

/** The key of a per-transaction value (Tx.local). */
export class TxLocal<T> {
  constructor(readonly init: () => T) {}
}

/**
 * Runs in a batch's transaction after the inbox claim and before the first message's work, given
 * the messages that will run (fresh ones, in their order): e.g. locks every row the batch needs
 * in one sorted statement, so replicas never take them in different orders.
 */
export type PrepareBatch<C extends Cause = Cause> = (tx: Tx, causes: readonly C[]) => Promise<void>;

/** What a dry run saw. `fresh` false: the consumer had handled the message already, nothing ran. */
export interface DryRun {
  fresh: boolean;
  /** What the work emitted, in order (none of it reached the outbox). */
  emitted: Envelope[];
  /** The effects outside the database that were not performed. */
  skipped: string[];
  /** Why the work failed, if it did. */
  error?: unknown;
}

/** How long a dry run may wait for a lock, and run a statement: an operator's look never stalls the consumers. */
const dryRunTimeoutsMs = { lock: 5_000, statement: 15_000 };

type DryRunLog = Pick<DryRun, 'emitted' | 'skipped'>;

export class Database {
  readonly #outboxWritten: ((rows: readonly WrittenRow[]) => void)[] = [];

  constructor(
    readonly pool: Pool,
    private readonly source: string,
  ) {}

  /** Calls fn with the rows after each commit that wrote outbox rows (the relay, so it publishes them at once). */
  onOutboxWritten(fn: (rows: readonly WrittenRow[]) => void): void {
    this.#outboxWritten.push(fn);
  }

  /**
   * Runs fn in one transaction. Messages it emits are validated against the catalog (a producer
   * bug fails here, not in a consumer) and written to the outbox with the current trace context,
   * so the relay can publish them inside the trace that caused them. `cause` names the message
   * the emitted ones follow from.
   */
  async transaction<R>(fn: (tx: Tx) => Promise<R>, cause?: Cause): Promise<R> {
    return (await this.#run(fn, cause ? { current: cause } : {})).result as R;
  }

  /**
   * Runs several pieces of work in one transaction, each in turn with its own cause (what its
   * emits follow from): one commit for all. Any failure rolls back all.
   */
  async transactionMany(items: readonly { cause: Cause; run: (tx: Tx) => Promise<void> }[]): Promise<void> {
    const cause: { current?: Cause } = {};
    await this.#run(async (tx) => {
      for (const item of items) {
        cause.current = item.cause;
        await item.run(tx);
      }
    }, cause);
  }

  /**
   * Handles a message exactly once: claims (consumer, event id) in the inbox in the same
   * transaction as fn's effect. Returns false, having done nothing, for a message seen before.
   */
  async handleOnce(claim: Claim, cause: Cause, fn: (tx: Tx) => Promise<void>): Promise<boolean> {
    return (await this.#run(fn, { current: cause }, claim)).fresh;
  }

  /**
   * Handles several messages of one consumer in one transaction: one multi-row inbox claim, each
   * fresh message's work in turn (its emits caused by it), one commit. Returns the ids handled;
   * the others had been handled before (or appear twice in the batch). Any failure rolls back all.
   */
  async handleMany<C extends Cause>(
    consumer: string,
    items: { eventId: string; eventTime: string; cause: C; run: (tx: Tx) => Promise<void> }[],
    prepare?: PrepareBatch<C>,
  ): Promise<Set<string>> {
    const cause: { current?: Cause } = {};
    const handled = new Set<string>();
    await this.#run(async (tx) => {
      const fresh = await claimMany(
        tx.query,
        consumer,
        items.map((i) => ({ id: i.eventId, time: i.eventTime })),
      );
      const running = items.filter((item) => {
        if (!fresh.has(item.eventId) || handled.has(item.eventId)) return false;
        handled.add(item.eventId);
        return true;
      });
      if (prepare && running.length > 0)
        await prepare(
          tx,
          running.map((i) => i.cause),
        );
      for (const item of running) {
        cause.current = item.cause;
        await item.run(tx);
      }
    }, cause);
    return handled;
  }

  /**
   * Handles a message as handleOnce would — the same inbox claim, statements, emits (validated)
   * and queued writes — and then rolls everything back: nothing is stored, published or sent.
   * Effects outside the database are skipped (Tx.outside). An error once connected is returned,
   * not thrown (the caller tells the handler's from an outage or a lock not had in time).
   */
  async dryRun(claim: Claim, cause: Cause, fn: (tx: Tx) => Promise<void>): Promise<DryRun> {
    const log: DryRunLog = { emitted: [], skipped: [] };
    try {
      const { fresh } = await this.#run(fn, { current: cause }, claim, log);
      return { fresh, ...log };
    } catch (error) {
      return { fresh: true, ...log, error };
    }
  }

  async #run<R>(
    fn: (tx: Tx) => Promise<R>,
    cause: { current?: Cause } = {},
    c?: Claim,
    dry?: DryRunLog,
  ): Promise<{ fresh: boolean; result?: R }> {
    const client = await this.pool.connect();
    const pending: OutboxRow[] = [];
    const committed: (() => void)[] = [];
    const queued = new QueuedWrites();
    const locals = new Map<TxLocal<unknown>, unknown>();
    const tx: Tx = {
      local: <T>(key: TxLocal<T>): T => {
        if (!locals.has(key)) locals.set(key, key.init());
        return locals.get(key) as T;
      },
      dryRun: dry !== undefined,
      outside: async (skipped, f) => {
        if (dry) dry.skipped.push(skipped);
        else if (await claimed) await f();
        else throw new HandledBefore(`not done again for a message handled before: ${skipped}`);
      },
      query: (text, values) => prepared(client, text, values),
      queueForCommit: (text, values = []) => queued.statement(text, values),
      queueRowForCommit: (batch, row) => queued.row(batch, row),
      afterCommit: (f) => {
        committed.push(f);
      },
      emit: (type, subject, data, causedBy) => {
        // What consumers would refuse is refused here, where the bug is: text that is not well-formed.
        const text = findTextIssue({ subject, data });
        if (text) throw new Error(`cannot emit ${type}: ${text.path} ${text.reason}`);
        const envelope = newEnvelope(this.source, type, subject, messages[type].parse(data), causedBy ?? cause.current);
        dry?.emitted.push(envelope);
        const { exchange, routingKey } = routeOf(type);
        const traceContext: Record<string, string> = {};
        propagation.inject(context.active(), traceContext);
        pending.push({
          eventId: envelope.id,
          exchange,
          routingKey,
          type,
          payload: JSON.stringify(envelope),
          subject: envelope.subject,
          traceContext,
        });
        return envelope;
      },
    };
    let released = false;
    let began: Promise<unknown> = Promise.resolve();
    /** Whether the message is new to this consumer (true when there is no claim). */
    let claimed: Promise<boolean> = Promise.resolve(true);
    try {
      if (dry) {
        await client.query(
          `BEGIN; SET LOCAL lock_timeout = ${dryRunTimeoutsMs.lock}; SET LOCAL statement_timeout = ${dryRunTimeoutsMs.statement}`,
        );
        if (c && !(await claim(client, c))) {
          await client.query('ROLLBACK');
          return { fresh: false };
        }
      } else if (c) {
        // Not awaited: the work's first statement shares the round trip of BEGIN and the claim. The
        // work of a message handled before thus starts too, and is rolled back unseen: nothing of it
        // commits, is published, or happens outside the database before the claim has answered.
        claimed = beginClaiming(client, c);
        claimed.catch(() => {});
      } else {
        // Not awaited: BEGIN travels with the work's first statement, or with the COMMIT if the work
        // only queued writes (the connection pipelines), and a failed BEGIN fails what follows it.
        // Settled with the commit, so its error is not lost.
        began = client.query('BEGIN');
        began.catch(() => {});
      }
      const ran = await (async () => fn(tx))().then(
        (result) => ({ result }),
        (err: unknown) => ({ err }),
      );
      // A failed claim is the first failure; for a message handled before, its work's outcome does not count.
      if (!(await claimed)) {
        await client.query('ROLLBACK');
        return { fresh: false };
      }
      if ('err' in ran) throw ran.err;
      const { result } = ran;
      if (dry) {
        // The writes queued for the commit run too (their errors are the handler's), then all is undone.
        for (const q of queued.statements()) await prepared(client, q.text, q.values);
        await client.query('ROLLBACK');
        return { fresh: true, result };
      }
      const written = await commitWith(client, queued.statements(), pending, began);
      if (written.length > 0) for (const f of this.#outboxWritten) f(written);
      for (const f of committed) f();
      return { fresh: true, result };
    } catch (err) {
      // A broken connection cannot roll back; release it as broken so the pool discards it.
      await client.query('ROLLBACK').catch((rollbackErr) => {
        released = true;
        client.release(rollbackErr);
      });
      throw err;
    } finally {
      if (!released) client.release();
    }
  }
}
