import { type Database, type Logger, PollLoop } from '@orderly/platform';
import type { Mailer } from '../adapters/mailer.js';
import { afterFailure, isPermanent, type Outcome, type RetryPolicy } from '../domain/email-delivery.js';
import type { EmailMetrics } from '../email-metrics.js';
import { claimDue, recordOutcomes } from '../store/email-outbox.js';
import { inEmailSpan } from './email-span.js';

export interface EmailSenderOptions {
  retry: RetryPolicy;
  batchSize: number;
  /** The longest sleep while nothing is due that this process knows of (rows another replica left). */
  sweepMs: number;
}

/**
 * Sends the stored notifications that are due, from the table (decision 0028): one transaction
 * claims up to batchSize rows (FOR UPDATE SKIP LOCKED), sends each, and commits what each came to —
 * sent, retry later with back-off, or parked. A failed row does not fail the others. The commit
 * follows the SMTP accept: a crash in between sends that email again (at least once, as before).
 *
 * It sweeps at start, is woken by the commits that store notifications (wake()), and otherwise sleeps
 * until the next retry is due (sweepMs at most): no polling while nothing is due.
 */
export function emailSender(db: Database, mailer: Mailer, options: EmailSenderOptions, metrics: EmailMetrics, logger: Logger): PollLoop {
  return new PollLoop(
    async (stopping) => {
      let nextInMs: number | undefined;
      let claimed = 0;
      const attempted: { id: string; orderId: string; attempt: number; outcome: Outcome }[] = [];
      await db.transaction(async (tx) => {
        const found = await claimDue(tx, options.batchSize);
        nextInMs = found.nextInMs;
        claimed = found.due.length;
        // Sent side by side over the transport's kept connections; each settles on its own.
        const results = await Promise.allSettled(
          found.due.map((e) => inEmailSpan(e.traceContext, () => mailer.send({ to: e.email, subject: e.subject, body: e.body }))),
        );
        found.due.forEach((e, i) => {
          const result = results[i]!;
          const attempt = e.attempts + 1;
          const outcome: Outcome = result.status === 'fulfilled' ? { status: 'sent' } : afterFailure(attempt, result.reason, options.retry);
          attempted.push({ id: e.id, orderId: e.orderId, attempt, outcome });
          if (result.status === 'rejected') metrics.failed.inc({ permanent: String(isPermanent(result.reason)) });
        });
        recordOutcomes(tx, attempted);
      });
      report(attempted, metrics, logger);
      if (stopping.aborted || claimed === 0) return { idleMs: Math.min(nextInMs ?? options.sweepMs, options.sweepMs) };
      if (claimed === options.batchSize) return 'more';
      const retries = attempted.flatMap((a) => (a.outcome.status === 'pending' ? [a.outcome.delayMs] : []));
      return { idleMs: Math.min(nextInMs ?? options.sweepMs, ...retries, options.sweepMs) };
    },
    { name: 'email sender', everyMs: options.sweepMs, logger },
  );
}

/** After the commit: what was sent, retried or parked (no addresses in the log). */
function report(
  attempted: readonly { id: string; orderId: string; attempt: number; outcome: Outcome }[],
  metrics: EmailMetrics,
  logger: Logger,
) {
  for (const { id, orderId, attempt, outcome } of attempted) {
    if (outcome.status === 'sent') metrics.sent.inc();
    else if (outcome.status === 'parked') {
      metrics.parked.inc();
      logger.error({ notificationId: id, orderId, attempt, error: outcome.error }, 'email parked: an operator may retry it');
    } else
      logger.warn({ notificationId: id, orderId, attempt, retryInMs: outcome.delayMs, error: outcome.error }, 'email not sent; will retry');
  }
}
