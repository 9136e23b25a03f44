import type { Logger } from '../logger.js';
import { PollLoop } from '../poll-loop.js';
import type { Pool, PoolClient } from './pool.js';

/**
 * A range-partitioned table of the service's schema (migration 009): one partition per step of
 * its timestamptz key, named `<table>_p<yyyymmddhh>` (UTC start), and a `<table>_default` for rows
 * no partition covers. Old partitions are dropped whole: no DELETE per row, no dead tuples.
 */
export interface PartitionedTable {
  table: string;
  /** The partition key. */
  column: string;
  stepHours: number;
  /** Partitions created beyond the current one, so an insert finds its partition between ticks. */
  ahead: number;
  /** A partition whose end is this far in the past is a candidate for dropping. */
  retentionHours: number;
  /**
   * SQL that is true while the partition `p` must be kept whatever its age ($1: now). Evaluated
   * again under the lock that drops it.
   */
  keep: (p: string) => string;
}

const hourMs = 3_600_000;
const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
/** A bound as a literal: DDL takes no parameters, and these are ours (ISO strings), never a caller's text. */
const literal = (d: Date) => `'${d.toISOString()}'::timestamptz`;
/** How long partition maintenance waits for a lock: a busy table is tried again on the next tick, never queued behind. */
const lockTimeoutMs = 500;

async function exists(db: Pool | PoolClient, name: string): Promise<boolean> {
  return (await db.query('SELECT to_regclass($1) IS NOT NULL AS e', [ident(name)])).rows[0].e;
}

/** This transaction's turn at the table's partitions (an advisory lock of the schema's table): false when another holds it. */
async function turn(client: PoolClient, t: PartitionedTable): Promise<boolean> {
  const { rows } = await client.query(
    `SELECT pg_try_advisory_xact_lock(hashtext('orderly.partitions.' || current_schema() || '.' || $1)) AS mine`,
    [t.table],
  );
  return rows[0].mine;
}

/**
 * One change to one partition, in a transaction of its own with the lock bound: `change` runs only
 * in this replica's turn (replicas take turns; one that finds another at it leaves the work to it)
 * and only if the partition exists as `present` says. It returns false to leave things as they
 * were. True when the change committed.
 */
async function inTurn(
  pool: Pool,
  t: PartitionedTable,
  name: string,
  present: boolean,
  change: (client: PoolClient) => Promise<boolean>,
): Promise<boolean> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SET LOCAL lock_timeout = ${lockTimeoutMs}`);
    if (!(await turn(client, t)) || (await exists(client, name)) !== present || !(await change(client))) {
      await client.query('ROLLBACK');
      return false;
    }
    await client.query('COMMIT');
    return true;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** The partition of `t` holding `at`: its name and its bounds. */
export function partitionOf(t: PartitionedTable, at: Date): { name: string; from: Date; to: Date } {
  const stepMs = t.stepHours * hourMs;
  const from = new Date(Math.floor(at.getTime() / stepMs) * stepMs);
  const stamp = from.toISOString().slice(0, 13).replace(/\D/g, '');
  return { name: `${t.table}_p${stamp}`, from, to: new Date(from.getTime() + stepMs) };
}

/** The table's dated partitions (not its default), oldest first. */
async function partitions(pool: Pool, t: PartitionedTable): Promise<{ name: string; to: Date }[]> {
  const { rows } = await pool.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = $1::regclass AND c.relname ~ ('^' || $2 || '_p[0-9]{10}$') ORDER BY c.relname`,
    [t.table, t.table],
  );
  return rows.map(({ name }) => {
    const s = name.slice(-10);
    const from = new Date(Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8), +s.slice(8, 10)));
    return { name, to: new Date(from.getTime() + t.stepHours * hourMs) };
  });
}

/**
 * Creates the partitions from the one holding `now` to `ahead` beyond it, those missing. Each is
 * made as a plain table and attached, which takes SHARE UPDATE EXCLUSIVE on the parent (inserts go
 * on); rows of its range that went to the default partition meanwhile are moved into it first.
 * Returns the names created.
 */
export async function createAhead(pool: Pool, t: PartitionedTable, now = new Date()): Promise<string[]> {
  const created: string[] = [];
  for (let k = 0; k <= t.ahead; k++) {
    const { name, from, to } = partitionOf(t, new Date(now.getTime() + k * t.stepHours * hourMs));
    if (await exists(pool, name)) continue;
    const [p, parent, key] = [ident(name), ident(t.table), ident(t.column)];
    const made = await inTurn(pool, t, name, false, async (client) => {
      await client.query(`CREATE TABLE ${p} (LIKE ${parent} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
      // The constraint spares ATTACH a scan of the new table; the default partition is scanned (it is small).
      await client.query(`ALTER TABLE ${p} ADD CHECK (${key} >= ${literal(from)} AND ${key} < ${literal(to)})`);
      await client.query(
        `WITH moved AS (DELETE FROM ${ident(`${t.table}_default`)} WHERE ${key} >= $1 AND ${key} < $2 RETURNING *) INSERT INTO ${p} SELECT * FROM moved`,
        [from, to],
      );
      await client.query(`ALTER TABLE ${parent} ATTACH PARTITION ${p} FOR VALUES FROM (${literal(from)}) TO (${literal(to)})`);
      return true;
    });
    if (made) created.push(name);
  }
  return created;
}

/**
 * Drops the partitions past the retention that hold nothing to keep. The check is made again after
 * taking ACCESS EXCLUSIVE on the parent (which DROP takes anyway): no transaction can then be
 * writing a row into the partition unseen. That lock waits for transactions using the table and
 * makes new ones wait, so it is tried for at most lockTimeoutMs and held for a few index probes.
 * Returns the names dropped.
 */
export async function dropExpired(pool: Pool, t: PartitionedTable, now = new Date()): Promise<string[]> {
  const dropped: string[] = [];
  const before = now.getTime() - t.retentionHours * hourMs;
  for (const { name, to } of await partitions(pool, t)) {
    if (to.getTime() > before) break;
    const keepIt = `SELECT ${t.keep(ident(name))} AS keep`;
    if ((await pool.query(keepIt, [now])).rows[0].keep) continue;
    const gone = await inTurn(pool, t, name, true, async (client) => {
      await client.query(`LOCK TABLE ONLY ${ident(t.table)} IN ACCESS EXCLUSIVE MODE`);
      if ((await client.query(keepIt, [now])).rows[0].keep) return false;
      await client.query(`DROP TABLE ${ident(name)}`);
      return true;
    });
    if (gone) dropped.push(name);
  }
  return dropped;
}

/**
 * Both, once: what the service runs at start and on every tick. A table whose maintenance fails (a
 * lock not had in time) does not keep the others from theirs; the first failure is thrown after.
 */
export async function maintainPartitions(pool: Pool, tables: readonly PartitionedTable[], logger: Logger, now = new Date()): Promise<void> {
  const failures: unknown[] = [];
  for (const t of tables) {
    try {
      const created = await createAhead(pool, t, now);
      if (created.length > 0) logger.info({ table: t.table, created }, 'partitions created ahead');
      const dropped = await dropExpired(pool, t, now);
      if (dropped.length > 0) logger.info({ table: t.table, dropped }, 'partitions past their retention dropped');
    } catch (err) {
      failures.push(err);
    }
  }
  if (failures.length > 0) throw failures[0];
}

/** A worker that maintains the partitions every everyMs. */
export function partitionKeeper(pool: Pool, tables: readonly PartitionedTable[], everyMs: number, logger: Logger): PollLoop {
  return new PollLoop(
    async () => {
      await maintainPartitions(pool, tables, logger);
      return 'idle';
    },
    { name: 'partition maintenance', everyMs, logger },
  );
}
