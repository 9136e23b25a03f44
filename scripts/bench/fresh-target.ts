/**
 * A fresh database and vhost for a run whose stack the bench starts itself, so runs are comparable
 * (the local stack's own database keeps every earlier run's rows, and its tables and indexes grow).
 * Both are dropped first if an earlier run left them, and removed again by the bench's clean-up.
 * DATABASE_URL and AMQP_URL are pointed at them in process.env, so the stack the bench starts and
 * every connection of the bench itself (pg-stats, the completion queue, the management API calls)
 * follow.
 */
import pg from 'pg';
import { onCleanup } from './cleanup.ts';
import { databaseUrl } from './pg-stats.ts';
import { amqpUrl, createVhost, deleteVhost } from './rabbit-api.ts';

export const freshName = 'orderly_bench';

export interface Target {
  database: string;
  vhost: string;
  fresh: boolean;
}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

export async function useFreshTarget(name = freshName): Promise<Target> {
  const dbUrl = new URL(databaseUrl());
  const mqUrl = new URL(amqpUrl());
  const owner = decodeURIComponent(dbUrl.username) || 'orderly';
  const guest = decodeURIComponent(mqUrl.username) || 'guest';
  // Administration goes over the database of the original URL (`orderly`), which stays as it is.
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: dbUrl.toString(), application_name: 'orderly-bench-admin' });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  const remove = async () => {
    // FORCE cannot end an autovacuum worker (a superuser's process), which may still be busy
    // with the run's tables for a moment after the stack stops: try again, briefly.
    for (let attempt = 1; ; attempt++) {
      try {
        await admin(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
        break;
      } catch (err) {
        if (attempt >= 20) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    await deleteVhost(name);
  };
  onCleanup(`fresh database and vhost ${name}`, remove);
  await remove();
  await admin(`CREATE DATABASE ${ident(name)} OWNER ${ident(owner)}`);
  await createVhost(name, guest);
  const freshDb = new URL(dbUrl);
  freshDb.pathname = `/${name}`;
  const freshMq = new URL(mqUrl);
  freshMq.pathname = `/${encodeURIComponent(name)}`;
  process.env.DATABASE_URL = freshDb.toString();
  process.env.AMQP_URL = freshMq.toString();
  return { database: name, vhost: name, fresh: true };
}
