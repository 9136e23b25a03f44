import { named } from '../db/named.js';
import type { PoolClient } from '../db/pool.js';

/** A message on its way out: written in the transaction that caused it, published by the relay. */
export interface OutboxRow {
  eventId: string;
  exchange: string;
  routingKey: string;
  type: string;
  payload: string;
  /** The envelope's subject (the order id): sent as the message's correlation id. */
  subject: string;
  /** W3C trace context of the writer (traceparent, tracestate): the publish joins its trace. */
  traceContext: Record<string, string>;
}

/** A row as committed: its id in the table and when it was written (ms since the epoch). */
export interface WrittenRow extends OutboxRow {
  id: number;
  writtenAt: number;
}

// One statement for any number of rows (arrays, not a VALUES list per count), so it is prepared once.
const insertRows = `INSERT INTO outbox (event_id, exchange, routing_key, type, payload, trace_context, subject)
  SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::json[], $6::jsonb[], $7::text[])
  RETURNING id, event_id`;

/**
 * Writes a transaction's outbox rows; sent without waiting, to travel with the COMMIT. Resolves to
 * the rows with their ids, for the relay to publish once the transaction has committed.
 */
export async function writeOutbox(client: PoolClient, rows: readonly OutboxRow[]): Promise<WrittenRow[]> {
  const writtenAt = Date.now();
  const { rows: ids } = await client.query<{ id: number; event_id: string }>(
    named(insertRows, [
      rows.map((r) => r.eventId),
      rows.map((r) => r.exchange),
      rows.map((r) => r.routingKey),
      rows.map((r) => r.type),
      rows.map((r) => r.payload),
      rows.map((r) => JSON.stringify(r.traceContext)),
      rows.map((r) => r.subject),
    ]),
  );
  const idOf = new Map(ids.map((r) => [r.event_id, r.id]));
  return rows.map((r) => ({ ...r, id: idOf.get(r.eventId) ?? Number.NaN, writtenAt }));
}
