import { named } from '../db/named.js';
import type { PoolClient } from '../db/pool.js';
import { type Claim, claim } from './inbox.js';
import { type OutboxRow, type WrittenRow, writeOutbox } from './outbox-writer.js';

/**
 * How a transaction's statements share round trips: the pool's connections pipeline, so what is
 * sent before the previous statement has answered goes out with it (coalesceWrites gathers one
 * event-loop turn's statements into one write).
 */
export interface Queued {
  text: string;
  values: unknown[];
}

export const prepared = (client: PoolClient, text: string, values?: unknown[]) => client.query(named(text, values));

/**
 * The queued writes, the outbox rows and COMMIT, sent together: one round trip. A failure in any
 * aborts the transaction, and PostgreSQL then answers the COMMIT with a rollback, not an error:
 * the first failure is what the caller sees.
 */
export async function commitWith(
  client: PoolClient,
  queued: readonly Queued[],
  rows: readonly OutboxRow[],
  began: Promise<unknown>,
): Promise<WrittenRow[]> {
  // A BEGIN still unanswered (work that only queued writes) shares this round trip too.
  const sent: Promise<unknown>[] = [began, ...queued.map((q) => prepared(client, q.text, q.values))];
  const written = rows.length > 0 ? writeOutbox(client, rows) : Promise.resolve([]);
  sent.push(written, client.query('COMMIT'));
  const failed = (await Promise.allSettled(sent)).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return written;
}

/**
 * BEGIN and the inbox claim, sent but not awaited: the work's first statement goes out with them,
 * in the same round trip, and the answer is awaited before anything is committed or done outside
 * the database. Resolves to false when the message was handled before; a failed BEGIN or claim
 * rejects (and fails the statements after it on the connection).
 */
export function beginClaiming(client: PoolClient, c: Claim): Promise<boolean> {
  const began = client.query('BEGIN');
  const fresh = claim(client, c);
  return Promise.all([began, fresh]).then(([, isFresh]) => isFresh);
}

/** Thrown into a message's work by an effect outside the database when the claim says it was handled before. */
export class HandledBefore extends Error {
  override name = 'HandledBefore';
}
