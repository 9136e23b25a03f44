/**
 * A fresh database and vhost for a run whose stack the bench starts itself, so runs are comparable
 * (the local stack's own database keeps every earlier run's rows, and its tables and indexes grow).
 * Both are dropped first if an earlier run left them, and removed again by the bench's clean-up.
 * DATABASE_URL and AMQP_URL are pointed at them in process.env, so the stack the bench starts and
 * every connection of the bench itself (pg-stats, the completion queue, the management API calls)
 * follow.
 */
import { onCleanup } from './cleanup.ts';
import { adminQuery, databaseAt, dropDatabase, ident } from './databases.ts';
import { databaseUrl } from './pg-stats.ts';
import { amqpUrl, createVhost, deleteVhost } from './rabbit-api.ts';

export const freshName = 'orderly_bench';

export interface Target {
  database: string;
  vhost: string;
  fresh: boolean;
}

export async function useFreshTarget(name = freshName): Promise<Target> {
  const dbUrl = new URL(databaseUrl());
  const mqUrl = new URL(amqpUrl());
  const owner = decodeURIComponent(dbUrl.username) || 'orderly';
  const guest = decodeURIComponent(mqUrl.username) || 'guest';
  // Administration goes over the database of the original URL (`orderly`), which stays as it is.
  const remove = async () => {
    await dropDatabase(dbUrl.toString(), name);
    await deleteVhost(name);
  };
  onCleanup(`fresh database and vhost ${name}`, remove);
  await remove();
  await adminQuery(dbUrl.toString(), `CREATE DATABASE ${ident(name)} OWNER ${ident(owner)}`);
  await createVhost(name, guest);
  const freshDb = databaseAt(dbUrl.toString(), name);
  const freshMq = new URL(mqUrl);
  freshMq.pathname = `/${encodeURIComponent(name)}`;
  process.env.DATABASE_URL = freshDb.toString();
  process.env.AMQP_URL = freshMq.toString();
  return { database: name, vhost: name, fresh: true };
}
