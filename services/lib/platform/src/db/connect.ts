import { backoffDelay } from '../backoff.js';
import type { Logger } from '../logger.js';
import type { Pool } from './pool.js';

export interface DatabaseWait {
  /** Attempts before giving up; with the default delays about five minutes in all. */
  attempts?: number;
  baseMs?: number;
  maxMs?: number;
}

/**
 * Waits for the database at start, as the broker connection does: each failed attempt (refused,
 * not resolvable yet, starting up, a role or password the operator has not reconciled yet) is
 * logged and retried with back-off. On Kubernetes the service's pod often starts before
 * CloudNativePG's first instance accepts connections; exiting there would only restart the pod.
 */
export async function waitForDatabase(pool: Pool, logger: Logger, { attempts = 30, baseMs = 500, maxMs = 15_000 }: DatabaseWait = {}) {
  for (let attempt = 1; ; attempt++) {
    try {
      await pool.query('SELECT 1');
      if (attempt > 1) logger.info({ attempts: attempt }, 'database reachable');
      return;
    } catch (err) {
      if (attempt >= attempts) throw new Error(`database not reachable after ${attempts} attempts: ${(err as Error).message}`);
      const delayMs = backoffDelay(attempt, baseMs, maxMs);
      logger.warn({ attempt, delayMs, reason: (err as Error).message }, 'database not reachable yet; retrying');
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
}
