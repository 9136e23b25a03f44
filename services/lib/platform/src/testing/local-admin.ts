import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The local clusters' administrator (`orderly`: owner of the database `orderly`, CREATEDB, no
 * CREATEROLE), whose password scripts/setup.sh generates once into
 * `$ORDERLY_STATE_DIR/credentials/admin.json` (mode 0600) — no well-known password.
 * The tests' scratch databases, the bench and the set-up's steps connect as it.
 */
export const localAdminFile = (stateDir = process.env.ORDERLY_STATE_DIR ?? '/var/tmp/orderly') =>
  join(stateDir, 'credentials', 'admin.json');

export interface LocalAdmin {
  role: string;
  password: string;
}

/** The saved administrator; a clear error if the set-up has not made it yet. */
export function readLocalAdmin(file = localAdminFile()): LocalAdmin {
  let kept: Partial<LocalAdmin>;
  try {
    kept = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`no local database administrator (${(err as Error).message}): run scripts/setup.sh, or set DATABASE_URL`);
  }
  if (typeof kept.role !== 'string' || typeof kept.password !== 'string') {
    throw new Error(`${file} names no role and password: run scripts/setup.sh`);
  }
  return { role: kept.role, password: kept.password };
}

/** The administrator's URL on a local cluster (scripts/setup.sh's on ORDERLY_PG_PORT, 5440, by default). */
export function localAdminDatabaseUrl(port: number | string = process.env.ORDERLY_PG_PORT ?? 5440, database = 'orderly'): string {
  const { role, password } = readLocalAdmin();
  const url = new URL(`postgres://127.0.0.1:${port}/${encodeURIComponent(database)}`);
  url.username = encodeURIComponent(role);
  url.password = encodeURIComponent(password);
  return url.toString();
}
