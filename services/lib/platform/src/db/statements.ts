import type { PoolClient } from './pool.js';

/**
 * Fixed statements that run on every message, folded into single round trips: the simple query
 * protocol takes several statements in one message (values inlined with the driver's own
 * escaping). Each saved round trip is a write and a read on both sides of the socket, which the
 * benchmark's profile showed to be the largest cost per message.
 */
export interface OutboxRow {
  eventId: string;
  exchange: string;
  routingKey: string;
  type: string;
  payload: string;
  traceContext: string;
}

/** BEGIN and claim (consumer, event id) in the inbox: false when the event was handled before. */
export async function beginClaiming(client: PoolClient, consumer: string, eventId: string): Promise<boolean> {
  const results = (await client.query(
    `BEGIN; INSERT INTO inbox (consumer, event_id) VALUES (${client.escapeLiteral(consumer)}, ${client.escapeLiteral(eventId)}) ON CONFLICT DO NOTHING`,
  )) as unknown as { rowCount: number }[];
  return results[1]?.rowCount === 1;
}

/**
 * Runs the transaction's queued writes, writes its outbox rows and commits, in one round trip. An
 * error in any of them stops the rest (COMMIT included) and fails the call, as it would one by one.
 */
export async function commitWithOutbox(client: PoolClient, rows: OutboxRow[], queued: readonly string[] = []): Promise<void> {
  const lit = (v: string) => client.escapeLiteral(v);
  const statements = [...queued];
  if (rows.length > 0) {
    const values = rows
      .map(
        (r) => `(${lit(r.eventId)}, ${lit(r.exchange)}, ${lit(r.routingKey)}, ${lit(r.type)}, ${lit(r.payload)}, ${lit(r.traceContext)})`,
      )
      .join(', ');
    statements.push(`INSERT INTO outbox (event_id, exchange, routing_key, type, payload, trace_context) VALUES ${values}`);
  }
  await client.query([...statements, 'COMMIT'].join('; '));
}
