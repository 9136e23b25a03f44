import { exchanges } from '@orderly/events';
import type { Metrics } from '@orderly/platform';
import { Gauge } from 'prom-client';
import type { SagaMode } from './coordinator.js';

interface Queryable {
  query<R>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

/**
 * Orders whose saga still needs its own mode's messages, per the mode it started in (decision
 * 0022): an orchestrated one has a running saga row, or a command still in the outbox (its saga
 * may be over while the command waits for the sweep after a broker outage: revoking the right to
 * send commands then would park it); a choreographed one has no saga row and is not yet shipped or
 * decided (from SHIPPED on, shipping's own events finish it in either mode). While the other
 * mode's count is above 0 after a switch, the broker must carry both modes (SAGA_SWITCHING). The
 * counts use partial indexes (sagas_due, orders_open_by_update, outbox_unpublished).
 */
const inFlightText = `SELECT
    ((SELECT count(*) FROM sagas WHERE state = 'running')
      + (SELECT count(DISTINCT o.subject) FROM outbox o
          WHERE o.published_at IS NULL AND o.parked_at IS NULL AND o.exchange = $1
            AND NOT EXISTS (SELECT 1 FROM sagas s WHERE s.order_id::text = o.subject AND s.state = 'running')))::int AS orchestration,
    (SELECT count(*) FROM orders o WHERE o.status IN ('PENDING', 'RESERVED', 'CONFIRMED')
        AND NOT EXISTS (SELECT 1 FROM sagas s WHERE s.order_id = o.id))::int AS choreography`;

/** In-flight orders per the saga mode they started in; the order service's schema must be on the search path. */
export async function sagasInFlight(db: Queryable): Promise<Record<SagaMode, number>> {
  const { rows } = await db.query<Record<SagaMode, number>>(inFlightText, [exchanges.commands]);
  return rows[0] ?? { choreography: 0, orchestration: 0 };
}

/** orderly_sagas_in_flight{mode}: after a switch, the drain is over when the old mode's reaches 0. */
export function sagasInFlightGauge(metrics: Metrics, db: Queryable): Gauge {
  return new Gauge({
    name: 'orderly_sagas_in_flight',
    help: 'Orders not yet past the saga, by the saga mode they started in (a switch drains the old one, decision 0022)',
    labelNames: ['mode'],
    registers: [metrics.registry],
    async collect() {
      for (const [mode, n] of Object.entries(await sagasInFlight(db))) this.set({ mode }, n);
    },
  });
}
