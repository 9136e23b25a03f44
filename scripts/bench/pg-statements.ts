/**
 * Where PostgreSQL's time goes during the measured run, from pg_stat_statements: reset (for the
 * measured database only) at the run start, read at the run end, the top statements by total
 * execution time. The view is read over a connection to the database the extension was created in
 * (`orderly`, by scripts/setup.sh) and filtered by the dbid of the database the stack uses, since
 * the statistics are cluster-wide. If the extension is not there or not preloaded, the run goes on
 * without it.
 */
import pg from 'pg';

export interface StatementRow {
  queryid: string;
  query: string;
  calls: number;
  totalMs: number;
}

export interface TopStatement {
  query: string;
  calls: number;
  callsPerOrder: number;
  meanMs: number;
  totalSec: number;
  /** Of all statements' execution time in the database over the run, 0–1. */
  share: number;
}

export type StatementsReport =
  | {
      available: true;
      database: string;
      /** Whether pg_stat_statements_reset worked; otherwise the run's numbers are end − start deltas. */
      reset: boolean;
      totalExecSec: number;
      statements: number;
      top: TopStatement[];
    }
  | StatementsUnavailable;

export interface StatementsUnavailable {
  available: false;
  database: string;
  reason: string;
  howToEnable: string;
}

/** The query text on one line, whitespace collapsed, cut to `max` characters with an ellipsis. */
export function oneLine(query: string, max = 90): string {
  const s = query.replace(/\s+/g, ' ').trim();
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/**
 * The run's top statements by execution time: `end` minus `start` per queryid (a statement absent
 * at the start counts from zero), sorted by total time; calls per order = calls ÷ orders completed.
 */
export function topStatements(start: StatementRow[], end: StatementRow[], ordersCompleted: number, n = 10) {
  const before = new Map(start.map((r) => [r.queryid, r]));
  const deltas = end
    .map((r) => {
      const b = before.get(r.queryid);
      // A smaller count than at the start means the entry was evicted and came back: take it whole.
      const reused = b && b.calls <= r.calls ? b : undefined;
      return { query: r.query, calls: r.calls - (reused?.calls ?? 0), totalMs: r.totalMs - (reused?.totalMs ?? 0) };
    })
    .filter((d) => d.calls > 0);
  const totalMs = deltas.reduce((s, d) => s + d.totalMs, 0);
  const top = deltas
    .sort((a, b) => b.totalMs - a.totalMs)
    .slice(0, n)
    .map(
      (d): TopStatement => ({
        query: oneLine(d.query),
        calls: d.calls,
        callsPerOrder: d.calls / Math.max(1, ordersCompleted),
        meanMs: d.totalMs / d.calls,
        totalSec: d.totalMs / 1000,
        share: totalMs > 0 ? d.totalMs / totalMs : 0,
      }),
    );
  return { totalExecSec: totalMs / 1000, statements: deltas.length, top };
}

export interface StatementsProbe {
  /** The backend pid of the probe's connection (its CPU is the bench's, not the stack's). */
  ownPid: number;
  /** Resets the measured database's statistics (if permitted) and takes the baseline. */
  begin(): Promise<void>;
  end(ordersCompleted: number): Promise<StatementsReport>;
  close(): Promise<void>;
}

const howToEnable = (home: string) =>
  `start PostgreSQL with -c shared_preload_libraries=pg_stat_statements (scripts/setup.sh does) and, as a superuser, CREATE EXTENSION pg_stat_statements in database ${home}`;

/** Opens the probe, or says why pg_stat_statements cannot be read (never throws). */
export async function openStatements(homeUrl: string, database: string): Promise<StatementsProbe | StatementsUnavailable> {
  const home = decodeURIComponent(new URL(homeUrl).pathname.slice(1)) || 'postgres';
  const client = new pg.Client({ connectionString: homeUrl, application_name: 'orderly-bench-statements' });
  try {
    await client.connect();
    await client.query('SELECT 1 FROM pg_stat_statements LIMIT 1');
  } catch (err) {
    await client.end().catch(() => undefined);
    return { available: false, database, reason: (err as Error).message, howToEnable: howToEnable(home) };
  }
  const { rows: pidRows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const read = async (): Promise<StatementRow[]> => {
    const { rows } = await client.query<{ queryid: string; query: string; calls: string; total: number }>(
      `SELECT queryid::text AS queryid, min(query) AS query, sum(calls) AS calls, sum(total_exec_time) AS total
         FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = $1)
        GROUP BY queryid`,
      [database],
    );
    return rows.map((r) => ({ queryid: r.queryid, query: r.query, calls: Number(r.calls), totalMs: Number(r.total) }));
  };
  let start: StatementRow[] = [];
  let reset = false;
  return {
    ownPid: pidRows[0]?.pid as number,
    async begin() {
      try {
        await client.query('SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = $1), 0)', [database]);
        reset = true;
      } catch {
        reset = false; // no EXECUTE grant: the baseline below makes the numbers deltas all the same
      }
      start = await read();
    },
    async end(ordersCompleted) {
      try {
        return { available: true, database, reset, ...topStatements(start, await read(), ordersCompleted) };
      } catch (err) {
        return { available: false, database, reason: (err as Error).message, howToEnable: howToEnable(home) };
      }
    },
    close: () => client.end(),
  };
}
