import { databaseUnavailable } from '../db/unavailable.js';
import { HttpProblem } from '../http/problem.js';
import { NotYetError } from '../inbound/consumer.js';
import { admit, afterFailure, errText } from '../inbound/decide.js';
import type { Handlers } from '../inbound/handlers.js';
import type { BrokerIdentity } from '../inbound/identity.js';
import type { Database } from '../transaction/transaction.js';

/** What a message would do if its consumer took it now (POST /admin/dry-run). */
export interface DryRunAnswer {
  outcome: 'would-succeed' | 'would-fail' | 'already-handled';
  /** The messages it would emit (none when it would fail). */
  emitted: { type: string; subject: string; data: unknown }[];
  /** Why it would fail, as the consumer would record it in x-orderly-error. */
  error?: string;
  /**
   * What the consumer would then do with it, arriving as a redrive does (attempt 1): park it at
   * once, retry it with back-off (spending attempts), or wait for the message it needs (spending none).
   */
  next?: 'parked' | 'retried' | 'waits';
  /** Effects outside the database the handler would have had, not performed in the dry run. */
  skipped?: string[];
}

/** The service's consumers as the dry run needs them: their handlers, and who the service is on the broker. */
export interface DryRunTarget {
  db: Database;
  consumers: Record<string, Handlers>;
  identity: BrokerIdentity | undefined;
  /** The consumers' retry settings: what follows a failure is their decision (inbound/decide.ts). */
  retry: { maxAttempts: number; notYetMaxWaitMs: number };
}

/**
 * Runs a message through the queue's consumer as it would arrive now — the same parsing and
 * validation, the same producer check (against the publisher the dead letter recorded), the same
 * handler and inbox claim — in a transaction that is always rolled back.
 */
export async function dryRunMessage(
  { db, consumers, identity, retry }: DryRunTarget,
  queue: string,
  content: Buffer,
  publishedBy: string | undefined,
): Promise<DryRunAnswer> {
  const handlers = consumers[queue];
  if (!handlers || !identity) throw new HttpProblem(404, 'Not found', `${queue} is not a queue this service consumes`);
  const fails = (err: unknown, next: DryRunAnswer['next']): DryRunAnswer => ({
    outcome: 'would-fail',
    emitted: [],
    error: errText(err),
    next,
  });
  // The consumer's own admission: the same parsing, producer check and handler lookup; refused, it is parked at once.
  const admitted = admit(content, publishedBy, identity, handlers, queue);
  if (!admitted.handle) return fails(admitted.error, 'parked');
  const { event, work } = admitted;
  const run = await db.dryRun({ consumer: queue, eventId: event.id, eventTime: event.time }, event, work);
  if (run.error !== undefined && notTheMessage(run.error)) {
    throw new HttpProblem(
      503,
      'Dry run unavailable',
      'the database could not be reached, or the rows this message touches stayed locked: try again',
      {},
      { cause: run.error },
    );
  }
  const skipped = run.skipped.length > 0 ? { skipped: run.skipped } : {};
  if (!run.fresh) return { outcome: 'already-handled', emitted: [] };
  if (run.error !== undefined) return { ...fails(run.error, nextAfter(run.error, retry)), ...skipped };
  const emitted = run.emitted.map(({ type, subject, data }) => ({ type, subject, data }));
  return { outcome: 'would-succeed', emitted, ...skipped };
}

/** The consumer's own decision after a first failed attempt (decide.ts), not a copy of it. */
function nextAfter(err: unknown, retry: DryRunTarget['retry']): DryRunAnswer['next'] {
  const notYet = err instanceof NotYetError;
  const now = Date.now();
  const next = afterFailure(err, { attempt: 1, ...retry, outage: notYet, notYet, waitingSince: now, now });
  if (next.park) return 'parked';
  return next.outage ? 'waits' : 'retried';
}

// lock_not_available (lock_timeout), query_canceled (statement_timeout): the dry run's own bounds.
const boundCodes = new Set(['55P03', '57014']);

/** An outage, or the dry run's own time bounds: says nothing about what the message would do. */
function notTheMessage(err: unknown): boolean {
  return databaseUnavailable(err) || boundCodes.has(String((err as { code?: unknown }).code));
}
