import type { Message, Metrics } from '@orderly/platform';
import { cleanupList } from '@orderly/platform/testing';
import test from 'ava';
import { type OpenMetricsContentType, Registry } from 'prom-client';
import { participantOutcomes } from '../src/handlers/participant-outcomes.js';
import { orderMetrics } from '../src/metrics.js';
import { sagaFor } from '../src/saga/coordinator.js';
import { type OrderUnderTest, paid, reserved, startOrder } from './helpers.js';

/**
 * Every lock and update of the order row is an index scan of orders; PostgreSQL counts them per
 * transaction (pg_stat_xact_user_tables), so the handler's own transaction can say how often it
 * went to the row.
 */
const cleanups = cleanupList();
let o: OrderUnderTest;
test.before(async () => {
  o = await startOrder('row_locks', cleanups);
});
test.after.always(() => cleanups.run());

test('when a payment confirms an order, then the order row is read once and written once', async (t) => {
  const orderId = await o.place('C9');
  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const handlers = participantOutcomes({
    db: o.service.db,
    metrics: orderMetrics({ registry } as unknown as Metrics),
    saga: sagaFor('choreography', 60_000),
    sagaMode: 'choreography',
    stuckAfterS: 60,
    idempotencyKeyRetentionHours: 1,
  });
  const scans = await o.service.db.transaction(async (tx) => {
    await handlers['inventory.reserved']!(reserved(orderId) as Message<'inventory.reserved'>, tx);
    const before = await tx.query<{ n: string }>(`SELECT idx_scan AS n FROM pg_stat_xact_user_tables WHERE relname = 'orders'`);
    await handlers['payment.completed']!(paid(orderId) as Message<'payment.completed'>, tx);
    const after = await tx.query<{ n: string }>(`SELECT idx_scan AS n FROM pg_stat_xact_user_tables WHERE relname = 'orders'`);
    return Number(after.rows[0]!.n) - Number(before.rows[0]!.n);
  });
  t.is(scans, 2, 'one SELECT … FOR UPDATE and one UPDATE');
  t.is((await o.ops(`/orders/${orderId}`)).body.status, 'CONFIRMED');
});
