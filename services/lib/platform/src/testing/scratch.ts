/**
 * A database and a vhost of their own on the shared servers — for a test file, or a benchmark run —
 * created (replacing a leftover of the same name when asked) and dropped again by their user.
 */
import pg from 'pg';
import { managementClient } from '../bus/management.js';
import { localAdminDatabaseUrl } from './local-admin.js';

export interface Servers {
  /** Any database on the server: administration (CREATE/DROP DATABASE) goes over it. */
  databaseUrl: string;
  /** Any vhost on the broker: its user is granted the scratch vhost. */
  amqpUrl: string;
  managementUrl: string;
}

/** The servers of the environment (AMQP_URL, DATABASE_URL, RABBITMQ_MANAGEMENT_URL), local defaults otherwise. */
export const serversFromEnv = (): Servers => ({
  amqpUrl: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672/',
  // scripts/setup.sh's cluster (a port of its own, ORDERLY_PG_PORT: 5440) as its administrator,
  // whose password the set-up generated.
  databaseUrl: process.env.DATABASE_URL ?? localAdminDatabaseUrl(),
  managementUrl: process.env.RABBITMQ_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672/',
});

export interface Scratch {
  database: string;
  vhost: string;
  databaseUrl: string;
  amqpUrl: string;
  /** Drops the database and deletes the vhost (each even if the other fails). */
  drop(): Promise<void>;
}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** The same server and credentials, another database or vhost. */
export function withPath(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(name)}`;
  return u.toString();
}

/** One statement over a connection of its own (CREATE/DROP DATABASE cannot run in a transaction). */
async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  // A wedged server must fail the caller with a message, not hang it.
  const c = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 15_000, application_name: 'orderly-scratch' });
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
 * again, for up to 10 s.
 */
export async function dropScratchDatabase(adminUrl: string, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`);
      return;
    } catch (err) {
      if (attempt >= 20) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** Creates an empty database owned by the URL's user (a leftover of that name dropped first when `replace`); its URL. */
export async function createScratchDatabase(adminUrl: string, name: string, { replace = false } = {}): Promise<string> {
  if (replace) await dropScratchDatabase(adminUrl, name);
  await adminQuery(adminUrl, `CREATE DATABASE ${ident(name)}`);
  return withPath(adminUrl, name);
}

/** Deletes a vhost and everything in it; one that does not exist is no error. Quorum queues can take a while. */
export async function deleteScratchVhost(managementUrl: string, name: string, timeoutMs = 120_000): Promise<void> {
  const res = await managementClient(managementUrl, timeoutMs).request(`api/vhosts/${encodeURIComponent(name)}`, { method: 'DELETE' });
  if (!res.ok && res.status !== 404) throw new Error(`delete vhost ${name}: ${res.status} ${await res.text()}`);
}

/** Creates a vhost and grants the AMQP URL's user everything on it (a leftover dropped first when `replace`); its AMQP URL. */
export async function createScratchVhost(servers: Omit<Servers, 'databaseUrl'>, name: string, { replace = false } = {}): Promise<string> {
  if (replace) await deleteScratchVhost(servers.managementUrl, name);
  const { json } = managementClient(servers.managementUrl, 30_000);
  const user = decodeURIComponent(new URL(servers.amqpUrl).username) || 'guest';
  await json('PUT', `api/vhosts/${encodeURIComponent(name)}`);
  await json('PUT', `api/permissions/${encodeURIComponent(name)}/${encodeURIComponent(user)}`, {
    configure: '.*',
    write: '.*',
    read: '.*',
  });
  return withPath(servers.amqpUrl, name);
}

/** A database and a vhost, both called `name`. */
export async function createScratch(name: string, servers: Servers = serversFromEnv(), { replace = false } = {}): Promise<Scratch> {
  // The database first: creating it fails if one of that name exists, and then nothing was touched.
  const databaseUrl = await createScratchDatabase(servers.databaseUrl, name, { replace });
  const amqpUrl = await createScratchVhost(servers, name, { replace }).catch(async (err) => {
    await dropScratchDatabase(servers.databaseUrl, name).catch(() => undefined);
    throw err;
  });
  return {
    database: name,
    vhost: name,
    databaseUrl,
    amqpUrl,
    async drop() {
      const results = await Promise.allSettled([
        dropScratchDatabase(servers.databaseUrl, name),
        deleteScratchVhost(servers.managementUrl, name),
      ]);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}
