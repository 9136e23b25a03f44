import type { Pool } from '../db/pool.js';
import type { Logger } from '../logger.js';

/**
 * A stream confirms a message once written, not fsynced: after a crash of a single-node broker's
 * machine, the last moments of confirmed messages may be gone, and the outbox has marked them sent.
 * So when the broker comes back (any reconnect after the first connect), the rows marked sent in
 * the last `windowMs` are handed back to the relay's sweep and published again. The copies are
 * duplicates everywhere the broker did keep them: inboxes and the stream readers' idempotent
 * writes absorb them. A sent mark still in flight at the reconnect may land after this and keep
 * its row from the second publish: the window is a best effort, not a second guarantee. The first
 * confirmation is kept (confirmed_at), so a second publish the broker refuses is not parked.
 */
export async function republishRecent(pool: Pool, windowMs: number, logger: Logger): Promise<number> {
  if (windowMs <= 0) return 0;
  const { rowCount } = await pool.query(
    `UPDATE outbox SET confirmed_at = coalesce(confirmed_at, published_at), published_at = NULL WHERE published_at > clock_timestamp() - make_interval(secs => $1::float8 / 1000)`,
    [windowMs],
  );
  if (rowCount) logger.info({ rows: rowCount, windowMs }, 'broker reconnected: publishing the recently confirmed rows again');
  return rowCount ?? 0;
}

/** A connect hook that republishes on every connect but the first; a failure is logged, never fatal to the connection. */
export function republishOnReconnect(pool: Pool, windowMs: number, logger: Logger): () => Promise<void> {
  let connected = false;
  return async () => {
    if (!connected) {
      connected = true;
      return;
    }
    await republishRecent(pool, windowMs, logger).catch((err) =>
      logger.warn({ err }, 'could not republish recently confirmed rows; the broker may have lost them'),
    );
  };
}
