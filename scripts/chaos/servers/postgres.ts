/**
 * A PostgreSQL cluster of the chaos run's own: initdb into its own directory, its own port and
 * socket directory, started and crashed with pg_ctl as user postgres. The shared cluster on 5440
 * is never touched. Durable (fsync on): a crash must lose nothing that was committed.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chown, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { runAs, systemUser } from './run-as.ts';

export interface OwnPostgres {
  port: number;
  /** The admin URL of the database the services use (user orderly). */
  databaseUrl: string;
  dataDir: string;
  start(): Promise<void>;
  /** `pg_ctl stop -m immediate`: no checkpoint, no goodbye to clients, crash recovery on the next start. */
  crash(): Promise<void>;
  stop(): Promise<void>;
}

async function pgBin(): Promise<string> {
  const versions = (await readdir('/usr/lib/postgresql').catch(() => [] as string[])).filter((v) =>
    existsSync(`/usr/lib/postgresql/${v}/bin/pg_ctl`),
  );
  versions.sort((a, b) => Number(a) - Number(b));
  const v = versions.at(-1);
  if (!v) throw new Error('PostgreSQL is not installed: run scripts/setup.sh');
  return `/usr/lib/postgresql/${v}/bin`;
}

export async function ownPostgres(runDir: string, port: number): Promise<OwnPostgres> {
  const user = systemUser('postgres');
  const bin = await pgBin();
  // A directory of its own, owned by postgres: the data, the log and the socket.
  const stateDir = join(runDir, 'postgres');
  const dataDir = join(stateDir, 'data');
  await mkdir(stateDir, { recursive: true });
  await chown(stateDir, user.uid, user.gid);
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    await runAs(user, `${bin}/initdb`, ['-D', dataDir, '-U', 'postgres', '--auth-local=peer', '--auth-host=scram-sha-256', '--no-sync']);
  }
  const opts = [
    `-p ${port}`,
    `-k ${stateDir}`,
    '-c listen_addresses=127.0.0.1',
    '-c max_connections=300',
    '-c shared_buffers=64MB',
    // Durable: what a crash test is about.
    '-c fsync=on',
    '-c synchronous_commit=on',
  ].join(' ');
  const pgCtl = (args: string[]) => runAs(user, `${bin}/pg_ctl`, ['-D', dataDir, ...args]);
  const start = async () => {
    // After a crash the socket lock file stays behind, naming a PID this busy machine may already
    // have given to another process: the postmaster would take it for a live one and refuse.
    if (!existsSync(join(dataDir, 'postmaster.pid'))) {
      await rm(join(stateDir, `.s.PGSQL.${port}.lock`), { force: true });
      await rm(join(stateDir, `.s.PGSQL.${port}`), { force: true });
    }
    await pgCtl(['-l', join(stateDir, 'pg.log'), '-o', opts, '-w', '-t', '120', 'start']);
  };
  await start();
  // The SQL on stdin: never on a command line, where any local user could read a password.
  const psql = (sql: string, db = 'postgres') =>
    runAs(
      user,
      `${bin}/psql`,
      ['-h', stateDir, '-p', String(port), '-U', 'postgres', '-d', db, '-qtAX', '-v', 'ON_ERROR_STOP=1', '-f', '-'],
      {},
      120_000,
      sql,
    );
  // The run's own password, never a well-known one, set on every run: a cluster an
  // earlier run left keeps nothing of that run's.
  const password = randomBytes(18).toString('hex');
  if (!(await psql(`SELECT 1 FROM pg_roles WHERE rolname='orderly'`)).includes('1')) {
    await psql('CREATE ROLE orderly LOGIN CREATEDB');
  }
  await psql(`ALTER ROLE orderly LOGIN CREATEDB NOCREATEROLE PASSWORD '${password}'`);
  if (!(await psql(`SELECT 1 FROM pg_database WHERE datname='orderly'`)).includes('1')) {
    await psql('CREATE DATABASE orderly OWNER orderly');
  }
  const databaseUrl = new URL(`postgres://orderly@127.0.0.1:${port}/orderly`);
  databaseUrl.password = password;
  return {
    port,
    dataDir,
    databaseUrl: databaseUrl.toString(),
    start,
    crash: async () => {
      await pgCtl(['stop', '-m', 'immediate', '-w']);
    },
    stop: async () => {
      await pgCtl(['stop', '-m', 'fast', '-w']).catch(() => undefined);
    },
  };
}

/** Whether the server answers a query now. */
export async function postgresAnswers(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}
