import type { Pool } from '../db/pool.js';
import type { Tx } from '../transaction/transaction.js';

/** Nothing read yet: the reader starts at the first message the stream still holds. */
export const noOffset = -1;

/** The reader's stored offset, creating its row on first use. */
export async function storedOffset(pool: Pool, reader: string): Promise<number> {
  await pool.query(`INSERT INTO stream_offsets (reader, "offset") VALUES ($1, $2) ON CONFLICT (reader) DO NOTHING`, [reader, noOffset]);
  const { rows } = await pool.query<{ offset: string }>(`SELECT "offset" FROM stream_offsets WHERE reader = $1`, [reader]);
  return Number(rows[0]!.offset);
}

/**
 * The stored offset, locked until the transaction ends: a second reader of the same name (a
 * standby that became active, a reconnect racing a batch still committing) waits here and then
 * skips what the first already stored. This is what makes a reader exactly-once, not its luck.
 */
export async function lockOffset(tx: Tx, reader: string): Promise<number> {
  const { rows } = await tx.query<{ offset: string }>(`SELECT "offset" FROM stream_offsets WHERE reader = $1 FOR UPDATE`, [reader]);
  return rows[0] ? Number(rows[0].offset) : noOffset;
}

/** Moves the offset forward with the commit (never back). */
export function storeOffset(tx: Tx, reader: string, offset: number): void {
  tx.queueForCommit(
    `INSERT INTO stream_offsets (reader, "offset", updated_at) VALUES ($1, $2, now())
     ON CONFLICT (reader) DO UPDATE SET "offset" = EXCLUDED."offset", updated_at = now() WHERE stream_offsets."offset" < EXCLUDED."offset"`,
    [reader, offset],
  );
}
