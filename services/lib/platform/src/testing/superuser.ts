import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

/** Runs SQL (several statements, psql's meta-commands included when over psql); what it printed. */
export type SqlRunner = (sql: string) => Promise<string>;

/**
 * Who may create, alter and drop roles on a database server. The local administrator may not
 * (no CREATEROLE: on PostgreSQL 15 that would let it grant itself pg_execute_server_program and
 * run programs as the server's OS user), so on the clusters this project runs itself —
 * scripts/setup.sh's, whose socket is in ORDERLY_STATE_DIR, and the chroots' of
 * scripts/k8s/servers/up.sh — it is their superuser `postgres` over the local socket (peer or
 * trust authentication: only root or the OS user postgres get there, never over TCP). On a server
 * of your own (DATABASE_URL), the URL's user, who must then have CREATEROLE.
 */
export function roleAdministrator(databaseUrl: string): SqlRunner {
  const url = new URL(databaseUrl);
  const port = url.port || '5432';
  const database = decodeURIComponent(url.pathname.slice(1)) || 'postgres';
  const socket = localSocketDir(url.hostname, port);
  if (socket) return (sql) => superuserPsql(socket, port, database, sql);
  return async (sql) => {
    const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 15_000, application_name: 'orderly-roles' });
    await client.connect();
    try {
      await client.query(sql);
      return '';
    } finally {
      await client.end();
    }
  };
}

/** The socket directory of a local cluster of this project's on that port, if there is one. */
function localSocketDir(host: string, port: string): string | undefined {
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) return undefined;
  const state = process.env.ORDERLY_STATE_DIR ?? '/var/tmp/orderly';
  const dirs = [state, join(state, 'chroots', 'postgresql17', 'tmp')];
  return dirs.find((dir) => existsSync(join(dir, `.s.PGSQL.${port}`)));
}

function superuserPsql(socket: string, port: string, database: string, sql: string): Promise<string> {
  const psql = ['psql', '-h', socket, '-p', port, '-U', 'postgres', '-d', database, '-qtAX', '-v', 'ON_ERROR_STOP=1', '-f', '-'];
  // As the OS user postgres (peer authentication); through sudo when not root, as scripts/setup.sh does.
  const [cmd, ...args] =
    process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--', ...psql] : ['sudo', '-n', 'runuser', '-u', 'postgres', '--', ...psql];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd!, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`psql as postgres on ${socket}:${port} exited ${code}: ${err.trim()}`)),
    );
    child.stdin.on('error', () => undefined); // psql exited before reading it: its exit code says why
    child.stdin.end(sql);
  });
}
