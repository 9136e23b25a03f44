import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../logger.js';
import type { Pool } from './pool.js';

export interface MigrationSource {
  /** Namespace of the files, so the platform's and the service's numbering never collide. */
  prefix: string;
  dir: string;
}

const migrationFile = /^\d{3}_[a-z0-9_]+\.sql$/;

/**
 * Applies numbered plain-SQL files in order, each in its own transaction. An advisory lock per
 * schema makes replicas that start together wait for each other instead of racing.
 */
export async function migrate(pool: Pool, schema: string, sources: MigrationSource[], logger: Logger): Promise<string[]> {
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`orderly.migrate.${schema}`]);
    // Checked first: where the schema is provisioned for us (Kubernetes), the role may not create one.
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA "${schema}"`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS "${schema}".schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
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
