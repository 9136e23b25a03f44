/** The whole measured run's counters (commits, broker deliveries and publishes) and their per-order values. Pure. */
import type { VhostCounters } from './rabbit-api.ts';
import type { StepResult } from './report.ts';

export interface RunCounters {
  commits: number;
  vhost: VhostCounters;
  /** Terminal events delivered to the bench's queue so far. */
  bench: number;
}

export interface RunCounts {
  counters: { commits: number; deliverGet: number; quorumDeliverGet: number; publish: number; benchDeliveries: number };
  /** Every order decided in the run window, late ones (after the bench stopped waiting) included. */
  ordersCompleted: number;
  perOrder: PerOrder;
}

export interface PerOrder {
  commits: number;
  /** Every broker delivery but the bench's own: quorum queues, streams and classic queues. */
  deliveries: number;
  /** Deliveries from quorum queues alone (the targets count these: each is a replicated, fsynced copy). */
  quorumDeliveries: number;
  publishes: number;
  consumedByServices: number;
}

export function runCounts(start: RunCounters, end: RunCounters, steps: readonly StepResult[]): RunCounts {
  const counters = {
    commits: end.commits - start.commits,
    deliverGet: end.vhost.deliverGet - start.vhost.deliverGet,
    quorumDeliverGet: end.vhost.quorumDeliverGet - start.vhost.quorumDeliverGet,
    publish: end.vhost.publish - start.vhost.publish,
    benchDeliveries: end.bench - start.bench,
  };
  const ordersCompleted = counters.benchDeliveries;
  const per = (n: number) => n / Math.max(1, ordersCompleted);
  const acked = (s: StepResult) =>
    Object.entries(s.window.metrics.consumed)
      .filter(([k]) => k.endsWith('outcome=ack'))
      .reduce((a, [, v]) => a + v, 0);
  const consumed = steps.reduce((n, s) => n + acked(s), 0);
  return {
    counters,
    ordersCompleted,
    perOrder: {
      commits: per(counters.commits),
      // The bench's own queue gets one delivery per decided order: not the stack's work.
      deliveries: per(counters.deliverGet - counters.benchDeliveries),
      // The bench's queue is a classic one, so none of its deliveries are here.
      quorumDeliveries: per(counters.quorumDeliverGet),
      publishes: per(counters.publish),
      consumedByServices: per(consumed),
    },
  };
}
