/**
 * A fresh database and vhost for a run whose stack the bench starts itself, so runs are comparable
 * (the local stack's own database keeps every earlier run's rows, and its tables and indexes grow).
 * Both are dropped first if an earlier run left them, and removed again by the bench's clean-up.
 * DATABASE_URL and AMQP_URL are pointed at them in process.env, so the stack the bench starts and
 * every connection of the bench itself (pg-stats, the completion queue, the management API calls)
 * follow.
 */
import { createScratch } from '@orderly/platform/testing';
import { ensureCredentials } from '../local/credentials.ts';
import { onCleanup } from './cleanup.ts';
import { benchServers } from './rabbit-api.ts';

export const freshName = 'orderly_bench';

export interface Target {
  database: string;
  vhost: string;
  fresh: boolean;
}

export async function useFreshTarget(name = freshName): Promise<Target> {
  // Administration goes over the original URLs (database and vhost `orderly`), which stay as they are.
  const scratch = await createScratch(name, benchServers(), { replace: true });
  onCleanup(`fresh database and vhost ${name}`, () => scratch.drop());
  // The stack runs each service as its own role and broker user, as npm start does: the roles need
  // their schemas in this database too (they exist in `orderly` only), or a service cannot migrate.
  await ensureCredentials({ managementUrl: benchServers().managementUrl, vhost: scratch.vhost, adminDatabaseUrl: scratch.databaseUrl });
  process.env.DATABASE_URL = scratch.databaseUrl;
  process.env.AMQP_URL = scratch.amqpUrl;
  return { database: scratch.database, vhost: scratch.vhost, fresh: true };
}
