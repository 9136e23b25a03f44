import { context, propagation } from '@opentelemetry/api';
import { type Cause, type Envelope, type EventData, type MessageType, messages, newEnvelope, routeOf } from '@orderly/events';
import type { Pool, PoolClient } from './pool.js';

/** A transaction that can also emit messages (events, commands): they reach the outbox in the same commit. */
export interface Tx {
  query: PoolClient['query'];
  emit<T extends MessageType>(type: T, subject: string, data: EventData<T>): Envelope;
  /** Runs fn once the transaction has committed (metrics, logs): never for one that rolls back. */
  afterCommit(fn: () => void): void;
}

interface Pending {
  envelope: Envelope;
  exchange: string;
  routingKey: string;
  traceContext: Record<string, string>;
}

export class Database {
  constructor(
    readonly pool: Pool,
    private readonly source: string,
  ) {}

  /**
   * Runs fn in one transaction. Events it emits are validated against the catalog (a producer
   * bug fails here, not in a consumer) and written to the outbox with the current trace context,
   * so the relay can publish them inside the trace that caused them.
   */
  async transaction<R>(fn: (tx: Tx) => Promise<R>, cause?: Cause): Promise<R> {
    const client = await this.pool.connect();
    const pending: Pending[] = [];
    const committed: (() => void)[] = [];
    const tx: Tx = {
      afterCommit: (fn) => {
        committed.push(fn);
      },
      query: client.query.bind(client) as PoolClient['query'],
      emit: (type, subject, data) => {
        const envelope = newEnvelope(this.source, type, subject, messages[type].parse(data), cause);
        const { exchange, routingKey } = routeOf(type);
        const traceContext: Record<string, string> = {};
        propagation.inject(context.active(), traceContext);
        pending.push({
          envelope,
          exchange,
          routingKey,
          traceContext,
        });
        return envelope;
      },
    };
    let released = false;
    try {
      await client.query('BEGIN');
      const result = await fn(tx);
      if (pending.length > 0) await insertOutbox(client, pending);
      await client.query('COMMIT');
      for (const fn of committed) fn();
      return result;
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

async function insertOutbox(client: PoolClient, pending: Pending[]): Promise<void> {
  await client.query(
    `INSERT INTO outbox (event_id, exchange, routing_key, type, payload, trace_context)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::json[], $6::jsonb[])`,
    [
      pending.map((p) => p.envelope.id),
      pending.map((p) => p.exchange),
      pending.map((p) => p.routingKey),
      pending.map((p) => p.envelope.type),
      pending.map((p) => JSON.stringify(p.envelope)),
      pending.map((p) => JSON.stringify(p.traceContext)),
    ],
  );
}
