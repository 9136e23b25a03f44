import type { QueryResult } from 'pg';
import { named, type Query } from '../db/named.js';
import type { PartitionedTable } from '../db/partitions.js';
import type { PoolClient } from '../db/pool.js';
import type { Retention } from '../db/prune.js';

/** A message a consumer is about to handle: the inbox keeps (consumer, event id, event time) once handled. */
export interface Claim {
  consumer: string;
  eventId: string;
  /**
   * The envelope's time: every copy of the event carries the same, so a duplicate meets its
   * original in the same partition (migration 009, decision 0032).
   */
  eventTime: string;
}

/** An event as the inbox keys it. */
export interface Handled {
  id: string;
  time: string;
}

// Rows handled before the inbox was partitioned have no event time: they are looked for by
// (consumer, event id) in the old table until the pruner has emptied it.
const claimOne = `INSERT INTO inbox (consumer, event_id, event_at) SELECT $1, $2, $3
  WHERE NOT EXISTS (SELECT 1 FROM inbox_before_partitions b WHERE b.consumer = $1 AND b.event_id = $2) ON CONFLICT DO NOTHING`;
const claimBatch = `INSERT INTO inbox (consumer, event_id, event_at) SELECT $1, e.id, e.at FROM unnest($2::uuid[], $3::timestamptz[]) AS e(id, at)
  WHERE NOT EXISTS (SELECT 1 FROM inbox_before_partitions b WHERE b.consumer = $1 AND b.event_id = e.id) ON CONFLICT DO NOTHING RETURNING event_id`;

/**
 * Claims one message inside the transaction that handles it. Resolves to false when the consumer
 * handled it before: the caller then does nothing and rolls back. Sent without waiting for what
 * precedes it on the connection (BEGIN), so the two share a round trip.
 */
export function claim(client: PoolClient, { consumer, eventId, eventTime }: Claim): Promise<boolean> {
  return client.query(named(claimOne, [consumer, eventId, eventTime])).then((r: QueryResult) => r.rowCount === 1);
}

/** Claims a batch of one consumer's messages in one statement; resolves to the ids not handled before. */
export async function claimMany(query: Query, consumer: string, events: readonly Handled[]): Promise<Set<string>> {
  const { rows } = await query<{ event_id: string }>(claimBatch, [consumer, events.map((e) => e.id), events.map((e) => e.time)]);
  return new Set(rows.map((r) => r.event_id));
}

/**
 * The inbox's daily partitions by event time. One is dropped once its day ended more than the
 * retention ago and nothing in it was handled within the retention (an event handled late keeps
 * its partition), so a handled event is remembered at least INBOX_RETENTION_HOURS after handling.
 */
export function inboxPartitions(retentionHours: number): PartitionedTable {
  return {
    table: 'inbox',
    column: 'event_at',
    stepHours: 24,
    ahead: 2,
    retentionHours,
    keep: (p) => `EXISTS (SELECT 1 FROM ${p} WHERE handled_at >= $1::timestamptz - make_interval(hours => ${Math.trunc(retentionHours)}))`,
  };
}

/** What is pruned row by row: the default partition's rare rows, and the rows from before partitioning. */
export function inboxRowRetention(retentionHours: number): Retention[] {
  return ['inbox_default', 'inbox_before_partitions'].map((table) => ({ table, column: 'handled_at', retentionHours }));
}
