import { context, trace } from '@opentelemetry/api';
import { claimMany } from '../transaction/inbox.js';
import type { Database, Tx } from '../transaction/transaction.js';
import { lockOffset, noOffset, type Position, storeOffset } from './offsets.js';
import type { StreamItem } from './reader-options.js';

/** Where a reader's batch commits, and which of its items are claimed in the inbox. */
export interface BatchCommitTarget {
  db: Database;
  reader: string;
  position: Position;
  claims: (item: StreamItem) => boolean;
}

/**
 * The items' effects and the reader's offset, in one transaction; what an earlier commit covered
 * (at or below the stored offset) is skipped. Resolves with the items the inbox had seen before.
 */
export async function commitBatch(target: BatchCommitTarget, items: StreamItem[], offset: number): Promise<Set<StreamItem>> {
  const { db, reader, position, claims } = target;
  let stored = noOffset;
  let fresh: Set<string> | undefined;
  const duplicates = new Set<StreamItem>();
  await db.transactionMany([
    {
      cause: noCause,
      run: async (tx) => {
        stored = await lockOffset(tx, position);
        const events = items.filter((i) => i.offset > stored && claims(i)).map((i) => i.event!);
        if (events.length > 0) fresh = await claimMany(tx.query, reader, events);
      },
    },
    // Each handler's emits follow from its own message (transactionMany sets the cause).
    ...items.map((item) => ({
      cause: item.event!,
      run: (tx: Tx) => {
        if (item.offset <= stored) return Promise.resolve();
        // Claimed before: a republished copy, or the same event twice in the batch.
        if (claims(item) && !fresh?.delete(item.event!.id)) return Promise.resolve(void duplicates.add(item));
        return context.with(trace.setSpan(context.active(), item.span!), () => item.work!(tx));
      },
    })),
    { cause: noCause, run: async (tx) => (offset > stored ? storeOffset(tx, position, offset) : undefined) },
  ]);
  return duplicates;
}

/** For the steps that emit nothing (the offset's lock and store). */
const noCause = { id: '', correlationid: '' };
