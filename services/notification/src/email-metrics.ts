import type { Metrics, Pool } from '@orderly/platform';
import { Counter, Gauge } from 'prom-client';
import { backlog } from './store/email-outbox.js';

/** The email outbox's metrics (docs/architecture.md#metrics), on the service's registry. */
export function emailMetrics(metrics: Metrics, pool: Pool) {
  const registers = [metrics.registry];
  // Both gauges are read from the table at scrape time (one query per scrape), so they are true
  // whichever replica sends and however long the sender sleeps.
  let read: { at: number; value: Promise<Awaited<ReturnType<typeof backlog>>> } | undefined;
  const current = () => {
    if (!read || Date.now() - read.at > 1_000) read = { at: Date.now(), value: backlog(pool) };
    return read.value;
  };
  const failed = new Counter({
    name: 'orderly_email_failures_total',
    help: 'Failed attempts to send an email (each to be retried or parked); permanent: the server refused for good (5xx)',
    labelNames: ['permanent'],
    registers,
  });
  // Served at zero from the first scrape, as every metric is (docs/architecture.md#metrics).
  for (const permanent of ['true', 'false']) failed.inc({ permanent }, 0);
  return {
    sent: new Counter({ name: 'orderly_emails_sent_total', help: 'Emails the SMTP server accepted', registers }),
    failed,
    parked: new Counter({ name: 'orderly_emails_parked_total', help: 'Emails parked for an operator', registers }),
    pendingAge: new Gauge({
      name: 'orderly_email_oldest_pending_seconds',
      help: 'Age of the oldest email not yet sent (0 when none waits)',
      registers,
      async collect() {
        this.set((await current()).oldestPendingSeconds);
      },
    }),
    parkedNow: new Gauge({
      name: 'orderly_emails_parked',
      help: 'Emails parked now, waiting for an operator',
      registers,
      async collect() {
        this.set((await current()).parked);
      },
    }),
  };
}
export type EmailMetrics = ReturnType<typeof emailMetrics>;
