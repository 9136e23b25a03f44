import type { Logger } from '../logger.js';
import { PollLoop } from '../poll-loop.js';
import type { Pool } from './pool.js';

export interface Retention {
  /** A table of the service's schema (found through its search_path). */
  table: string;
  /** Its timestamptz column: rows older than retentionHours by it are deleted. */
  column: string;
  retentionHours: number;
}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

/**
 * Deletes at most `limit` rows older than the retention, oldest first, in one short statement (an
 * index on the column keeps it cheap); the number deleted. Bounded, so a long backlog never holds
 * locks or bloats one transaction: the loop below takes the next batch at once.
 */
export async function pruneBatch(pool: Pool, { table, column, retentionHours }: Retention, limit: number): Promise<number> {
  const t = ident(table);
  const c = ident(column);
  const result = await pool.query(
    `DELETE FROM ${t} WHERE ctid = ANY (ARRAY(
       SELECT ctid FROM ${t} WHERE ${c} < now() - make_interval(hours => $1::int) ORDER BY ${c} LIMIT $2))`,
    [retentionHours, limit],
  );
  return result.rowCount ?? 0;
}

/** A worker that prunes the table every everyMs (at once again while whole batches go). */
export function pruner(pool: Pool, retention: Retention, everyMs: number, logger: Logger, limit = 1_000): PollLoop {
  return new PollLoop(
    async () => {
      const deleted = await pruneBatch(pool, retention, limit);
      if (deleted > 0) logger.debug({ table: retention.table, deleted }, 'pruned rows past their retention');
      return deleted === limit ? 'more' : 'idle';
    },
    { name: `${retention.table} pruning`, everyMs, logger },
  );
}
