import type { Pool } from '../db/pool.js';
import type { Tx } from '../transaction/transaction.js';

/** Nothing read yet: the reader starts at the first message the stream still holds. */
export const noOffset = -1;

/** Where a reader is in one stream: its offset row's key. */
export interface Position {
  reader: string;
  stream: string;
}

/** The reader's stored offset in the stream, creating its row on first use. */
export async function storedOffset(pool: Pool, { reader, stream }: Position): Promise<number> {
  await pool.query(`INSERT INTO stream_offsets (reader, stream, "offset") VALUES ($1, $2, $3) ON CONFLICT (reader, stream) DO NOTHING`, [
    reader,
    stream,
    noOffset,
  ]);
  const { rows } = await pool.query<{ offset: string }>(`SELECT "offset" FROM stream_offsets WHERE reader = $1 AND stream = $2`, [
    reader,
    stream,
  ]);
  return Number(rows[0]!.offset);
}

/**
 * The stored offset, locked until the transaction ends: a second reader of the same name (a
 * standby that became active, a reconnect racing a batch still committing) waits here and then
 * skips what the first already stored. This is what makes a reader exactly-once, not its luck.
 */
export async function lockOffset(tx: Tx, { reader, stream }: Position): Promise<number> {
  const { rows } = await tx.query<{ offset: string }>(`SELECT "offset" FROM stream_offsets WHERE reader = $1 AND stream = $2 FOR UPDATE`, [
    reader,
    stream,
  ]);
  return rows[0] ? Number(rows[0].offset) : noOffset;
}

/** Moves the offset forward with the commit (never back). */
export function storeOffset(tx: Tx, { reader, stream }: Position, offset: number): void {
  tx.queueForCommit(
    `INSERT INTO stream_offsets (reader, stream, "offset", updated_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (reader, stream) DO UPDATE SET "offset" = EXCLUDED."offset", updated_at = now()
     WHERE stream_offsets."offset" < EXCLUDED."offset"`,
    [reader, stream, offset],
  );
}

/** When the reader moved to this stream, the time before which messages are claimed in the inbox (ms). */
export async function claimsBefore(pool: Pool, { reader, stream }: Position): Promise<number | undefined> {
  const { rows } = await pool.query<{ claim_before: Date | null }>(
    'SELECT claim_before FROM stream_offsets WHERE reader = $1 AND stream = $2',
    [reader, stream],
  );
  return rows[0]?.claim_before?.getTime();
}
