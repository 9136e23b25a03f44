/** The scratch databases the bench creates and drops (the fresh target, the pgbench limit test). */
import pg from 'pg';

export const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** The same server and credentials, another database. */
export function databaseAt(url: string, name: string): URL {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u;
}

/** One statement over a connection of its own (CREATE/DROP DATABASE cannot run in a transaction). */
export async function adminQuery(url: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: url, application_name: 'orderly-bench-admin' });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/**
 * Drops a database whoever is connected. FORCE cannot end an autovacuum worker (a superuser's
 * process), which may still be busy with the tables for a moment after their users left: try
 * again, briefly.
 */
export async function dropDatabase(url: string, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await adminQuery(url, `DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
      return;
    } catch (err) {
      if (attempt >= 20) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
