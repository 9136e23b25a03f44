/**
 * Whether the local stack starts in a saga-mode switch (decision 0022): SAGA_SWITCHING when it is
 * set, else whether the order service's database still holds orders of the other mode in flight —
 * as after `SAGA_MODE=orchestration npm start`, Ctrl-C with orders on their way, then `npm start`.
 * While it does, the broker carries both modes' messages so each of those orders finishes in the
 * mode it started in; the first start that finds none goes back to the one mode.
 */
import type { SagaMode } from '@orderly/events';
import { sagasInFlight } from '@orderly/order';
import pg from 'pg';

/** PostgreSQL's "no such schema" and "no such table": a database the order service never migrated holds nothing in flight. */
const neverMigrated = new Set(['3F000', '42P01']);

export async function startsSwitching(
  mode: SagaMode,
  explicit: string | undefined,
  adminDatabaseUrl: string,
  schema = 'order',
): Promise<{ switching: boolean; inFlight?: number }> {
  if (explicit !== undefined && explicit.trim() !== '')
    return { switching: ['true', '1', 'yes', 'on'].includes(explicit.trim().toLowerCase()) };
  const other: SagaMode = mode === 'orchestration' ? 'choreography' : 'orchestration';
  const db = new pg.Client({
    connectionString: adminDatabaseUrl,
    connectionTimeoutMillis: 15_000,
    application_name: 'orderly-saga-switch',
  });
  await db.connect();
  try {
    await db.query(`SET search_path TO "${schema.replace(/"/g, '""')}"`);
    const inFlight = (await sagasInFlight(db))[other];
    return { switching: inFlight > 0, inFlight };
  } catch (err) {
    if (neverMigrated.has((err as { code?: string }).code ?? '')) return { switching: false, inFlight: 0 };
    throw err;
  } finally {
    await db.end();
  }
}
