import type { QueryResult } from 'pg';
import { named, type Query } from '../db/named.js';
import type { PoolClient } from '../db/pool.js';

/** A message a consumer is about to handle: the inbox keeps (consumer, event id) once handled. */
export interface Claim {
  consumer: string;
  eventId: string;
}

const claimOne = 'INSERT INTO inbox (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING';
const claimBatch = 'INSERT INTO inbox (consumer, event_id) SELECT $1, unnest($2::uuid[]) ON CONFLICT DO NOTHING RETURNING event_id';

/**
 * Claims one message inside the transaction that handles it. Resolves to false when the consumer
 * handled it before: the caller then does nothing and rolls back. Sent without waiting for what
 * precedes it on the connection (BEGIN), so the two share a round trip.
 */
export function claim(client: PoolClient, { consumer, eventId }: Claim): Promise<boolean> {
  return client.query(named(claimOne, [consumer, eventId])).then((r: QueryResult) => r.rowCount === 1);
}

/** Claims a batch of one consumer's messages in one statement; resolves to the ids not handled before. */
export async function claimMany(query: Query, consumer: string, eventIds: string[]): Promise<Set<string>> {
  const { rows } = await query<{ event_id: string }>(claimBatch, [consumer, eventIds]);
  return new Set(rows.map((r) => r.event_id));
}
