/** PostgreSQL counters and settings the bench reads over one connection of its own. */
import pg from 'pg';
import { localAdmin } from '../local/services.ts';

export const databaseUrl = () => process.env.DATABASE_URL ?? localAdmin.DATABASE_URL;

export interface PgStats {
  client: pg.Client;
  ownPid: number;
  database: string;
  close(): Promise<void>;
}

export async function connectPgStats(): Promise<PgStats> {
  const client = new pg.Client({ connectionString: databaseUrl(), application_name: 'orderly-bench' });
  await client.connect();
  const { rows } = await client.query<{ pid: number; db: string }>('SELECT pg_backend_pid() AS pid, current_database() AS db');
  return { client, ownPid: rows[0]?.pid as number, database: rows[0]?.db as string, close: () => client.end() };
}

/** Committed transactions of the database so far (pg_stat_database.xact_commit, flushed ≤ 1 s late). */
export async function xactCommit(s: PgStats): Promise<number> {
  const { rows } = await s.client.query<{ n: string }>('SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()');
  return Number(rows[0]?.n ?? 0);
}

/** Settings that change what the numbers mean (durability first). */
export async function pgSettings(s: PgStats): Promise<Record<string, string>> {
  const { rows } = await s.client.query<{ name: string; setting: string; unit: string | null }>(
    `SELECT name, setting, unit FROM pg_settings
      WHERE name IN ('server_version', 'fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers', 'max_connections', 'wal_level', 'commit_delay')`,
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.unit ? `${r.setting} ${r.unit}` : r.setting]));
}

/** The checkpointer's pid: a child of the postmaster, so its parent is the postmaster. */
export async function checkpointerPid(s: PgStats): Promise<number | undefined> {
  try {
    const { rows } = await s.client.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'`);
    return rows[0]?.pid;
  } catch {
    return undefined;
  }
}

/** Every process in pg_stat_activity by pid → the database a client backend serves, null for the rest
 * (other users' rows included: pid, datname and backend_type are not hidden from them). */
export async function backendDatabases(s: PgStats): Promise<Map<number, string | null>> {
  const { rows } = await s.client.query<{ pid: number; datname: string | null }>(
    `SELECT pid, CASE WHEN backend_type = 'client backend' THEN datname END AS datname FROM pg_stat_activity`,
  );
  return new Map(rows.map((r) => [r.pid, r.datname]));
}
