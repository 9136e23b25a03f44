import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { backoffDelay } from '../backoff.js';
import type { Logger } from '../logger.js';
import type { Pool, PoolClient } from './pool.js';

export interface MigrationSource {
  /** Namespace of the files, so the platform's and the service's numbering never collide. */
  prefix: string;
  dir: string;
}

const migrationFile = /^\d{3}_[a-z0-9_]+\.sql$/;

export interface SchemaWait {
  /** How long to wait for a schema this role may not create; five minutes by default. */
  timeoutMs?: number;
  baseMs?: number;
  maxMs?: number;
}

/**
 * The service's schema and its migrations table. Where the schema is provisioned for the service
 * (Kubernetes: CloudNativePG's Database, which may reconcile the schemas only after the roles,
 * retrying every 30 s), the role may not create it: a refusal (42501) is waited out with back-off,
 * logged each time, instead of exiting and crash-looping; past the timeout it fails saying what is missing.
 */
async function schemaReady(client: PoolClient, schema: string, logger: Logger, wait: SchemaWait): Promise<void> {
  const { timeoutMs = 300_000, baseMs = 500, maxMs = 15_000 } = wait;
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      if (exists.rowCount === 0) await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS "${schema}".schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      if (attempt > 1) logger.info({ schema, attempts: attempt }, `schema "${schema}" is there; migrating`);
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== '42501') throw err;
      const waited = Date.now() - started;
      const reason = (err as Error).message;
      if (waited >= timeoutMs) {
        throw new Error(
          `schema "${schema}" is missing or not this role's after ${Math.round(waited / 1000)} s, and the role may not create it (${reason}): ` +
            'the schema is provisioned for the service (CloudNativePG: the Database resource); check that it exists and is owned by this role',
          { cause: err },
        );
      }
      const delayMs = Math.min(backoffDelay(attempt, baseMs, maxMs), timeoutMs - waited);
      logger.warn({ schema, attempt, delayMs, reason }, `schema "${schema}" not provisioned for this role yet; waiting`);
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
}

/**
 * Applies numbered plain-SQL files in order, each in its own transaction. An advisory lock per
 * schema makes replicas that start together wait for each other instead of racing.
 */
export async function migrate(
  pool: Pool,
  schema: string,
  sources: MigrationSource[],
  logger: Logger,
  schemaWait: SchemaWait = {},
): Promise<string[]> {
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`orderly.migrate.${schema}`]);
    await schemaReady(client, schema, logger, schemaWait);
    const done = new Set((await client.query<{ name: string }>(`SELECT name FROM "${schema}".schema_migrations`)).rows.map((r) => r.name));
    for (const { prefix, dir } of sources) {
      const files = (await readdir(dir)).filter((f) => migrationFile.test(f)).sort();
      for (const file of files) {
        const name = `${prefix}/${file}`;
        if (done.has(name)) continue;
        const sql = await readFile(join(dir, file), 'utf8');
        await client.query('BEGIN');
        try {
          await client.query(`SET LOCAL search_path TO "${schema}"`);
          await client.query(sql);
          await client.query(`INSERT INTO "${schema}".schema_migrations (name) VALUES ($1)`, [name]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${name} failed: ${(err as Error).message}`, { cause: err });
        }
        applied.push(name);
        logger.info({ migration: name, schema }, 'migration applied');
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`orderly.migrate.${schema}`]).catch(() => {});
    client.release();
  }
  return applied;
}
