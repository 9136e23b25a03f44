import { createPool, type Pool } from '../db/pool.js';
import { createTestEnv } from './env.js';

/**
 * A database of a test's own and a small pool on it (schema public), both gone at the test's end:
 * for tests that create the few tables they need rather than running a service's migrations.
 */
export async function scratchPool(t: { teardown: (fn: () => Promise<void>) => void }, name: string): Promise<Pool> {
  const e = await createTestEnv(name);
  const pool = createPool(e.databaseUrl, 'public', 2);
  t.teardown(async () => {
    await pool.end();
    await e.cleanup();
  });
  return pool;
}
