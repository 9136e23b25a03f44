/**
 * The local clusters' administrator `orderly`: its password generated once per machine into
 * `$ORDERLY_STATE_DIR/credentials/admin.json` (0600, in the 0700 folder of the services'
 * passwords), never a well-known one. scripts/setup.sh sets it on the cluster on every
 * run (scripts/local/admin.sql), which also replaces the `orderly` of earlier set-ups; everything
 * that connects as the administrator reads it (localAdminDatabaseUrl in @orderly/platform/testing).
 *
 *   node --conditions=source --import tsx scripts/local/admin-credentials.ts   # prints the password
 */
import { randomBytes } from 'node:crypto';
import { type LocalAdmin, localAdminFile } from '@orderly/platform/testing';
import { keptSecrets } from './secrets-file.ts';

export const localAdminRole = 'orderly';

export function ensureLocalAdmin(file = localAdminFile()): Promise<LocalAdmin> {
  return keptSecrets<LocalAdmin>(
    file,
    // Hex: safe in a URL, a psql variable and a SQL literal without escaping.
    () => ({ role: localAdminRole, password: randomBytes(18).toString('hex') }),
    (kept) => kept.role === localAdminRole && typeof kept.password === 'string' && /^[0-9a-f]{36}$/.test(kept.password),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${(await ensureLocalAdmin()).password}\n`);
}
