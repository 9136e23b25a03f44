import { TraceFlags, trace } from '@opentelemetry/api';
import { Counter, collectDefaultMetrics, Gauge, Histogram, type LabelValues, type OpenMetricsContentType, Registry } from 'prom-client';
import { renderMetrics } from './telemetry/exposition.js';

/** Latencies here run from a millisecond to tens of seconds. */
export const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The active trace as an exemplar, so a slow bucket leads to the trace that landed in it. Only a
 * sampled span's: under ratio sampling an unsampled trace is never exported, and its exemplar
 * would link to nothing.
 */
export function traceExemplar(): LabelValues<string> {
  const ctx = trace.getActiveSpan()?.spanContext();
  return ctx && (ctx.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED && trace.isSpanContextValid(ctx)
    ? { trace_id: ctx.traceId }
    : {};
}

/** The exemplar of a stored W3C traceparent (version-traceid-spanid-flags): only when its flags say sampled. */
export function traceparentExemplar(traceparent: string | undefined): LabelValues<string> {
  const m = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-([0-9a-f]{2})$/.exec(traceparent ?? '');
  if (!m || /^0+$/.test(m[1]!)) return {};
  return (Number.parseInt(m[2]!, 16) & TraceFlags.SAMPLED) === TraceFlags.SAMPLED ? { trace_id: m[1]! } : {};
}

/** Observes a latency with the active trace as its exemplar. */
export function observeLatency<T extends string>(h: Histogram<T>, labels: LabelValues<T>, seconds: number): void {
  h.observe({ labels, value: seconds, exemplarLabels: traceExemplar() as LabelValues<T> });
}

/**
 * The metric names of docs/architecture.md#metrics, one registry per service instance (tests run several in one
 * process). The registry is an OpenMetrics one, which is what lets histograms keep exemplars; `render`
 * answers a scrape in the format it asked for (telemetry/exposition.ts).
 */
export function createMetrics(service: string) {
  // Read at scrape time by their owners: a query or a look per scrape, not per operation.
  let outboxSource: (() => Promise<{ pending: number; parked: number }>) | undefined;
  // Both outbox gauges come from one query per scrape: the second collect reuses the first's answer.
  let outboxRead: { at: number; counts: Promise<{ pending: number; parked: number }> } | undefined;
  const outboxCounts = (source: NonNullable<typeof outboxSource>) => {
    if (!outboxRead || Date.now() - outboxRead.at > 1_000) outboxRead = { at: Date.now(), counts: source() };
    return outboxRead.counts;
  };
  let poolSource: (() => { total: number; idle: number; waiting: number }) | undefined;
  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  registry.setDefaultLabels({ service });
  // The event-loop delay histogram samples once a second, not every 10 ms (the default): at 10 ms
  // its timer alone kept an idle service at ≈ 0.7 % of a core (decision 0012). A stall still shows.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 1000 });
  const registers = [registry];
  return {
    registry,
    /** One scrape: OpenMetrics with exemplars when asked for, the Prometheus text format otherwise. */
    render: (openMetrics: boolean) => renderMetrics(registry, { service }, openMetrics),
    httpDuration: new Histogram({
      name: 'http_server_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route', 'status_code'],
      buckets: latencyBuckets,
      enableExemplars: true,
      registers,
    }),
    published: new Counter({
      name: 'orderly_messages_published_total',
      help: 'Messages published and confirmed by the broker',
      labelNames: ['exchange', 'type'],
      registers,
    }),
    unroutable: new Counter({
      name: 'orderly_messages_unroutable_total',
      help: 'Messages the broker returned because no queue was bound for them',
      labelNames: ['exchange', 'type'],
      registers,
    }),
    consumed: new Counter({
      name: 'orderly_messages_consumed_total',
      help: 'Messages consumed, by outcome',
      labelNames: ['queue', 'type', 'outcome'],
      registers,
    }),
    handleDuration: new Histogram({
      name: 'orderly_message_handle_duration_seconds',
      help: 'Time to handle one message, from delivery to ack',
      labelNames: ['queue', 'type'],
      buckets: latencyBuckets,
      enableExemplars: true,
      registers,
    }),
    outboxPending: new Gauge({
      name: 'orderly_outbox_pending',
      help: 'Outbox rows written but not yet confirmed by the broker',
      registers,
      async collect() {
        if (outboxSource) this.set((await outboxCounts(outboxSource)).pending);
      },
    }),
    outboxParkedNow: new Gauge({
      name: 'orderly_outbox_parked',
      help: 'Outbox rows the broker would not take, parked until an operator republishes them',
      registers,
      async collect() {
        if (outboxSource) this.set((await outboxCounts(outboxSource)).parked);
      },
    }),
    outboxParked: new Counter({
      name: 'orderly_outbox_parked_total',
      help: 'Outbox rows parked because the broker would not take them (refused, nacked or unroutable)',
      labelNames: ['exchange', 'type', 'reason'],
      registers,
    }),
    outboxRepublishRefused: new Counter({
      name: 'orderly_outbox_republish_refused_total',
      help: 'Recently confirmed outbox rows published again after a broker reconnect that the broker refused; their first copy stands',
      labelNames: ['exchange', 'type', 'reason'],
      registers,
    }),
    /** The two outbox gauges' numbers (pending, parked), read once per scrape. */
    setOutboxSource(source: () => Promise<{ pending: number; parked: number }>) {
      outboxSource = source;
    },
    dbPool: new Gauge({
      name: 'orderly_db_pool_connections',
      help: 'Database pool connections: total open, idle, and callers waiting for one',
      labelNames: ['state'],
      registers,
      collect() {
        const pool = poolSource?.();
        if (!pool) return;
        for (const [state, n] of Object.entries(pool)) this.set({ state }, n);
      },
    }),
    setPoolSource(source: () => { total: number; idle: number; waiting: number }) {
      poolSource = source;
    },
    outboxLag: new Histogram({
      name: 'orderly_outbox_publish_lag_seconds',
      help: 'Time from outbox row written to broker confirm',
      buckets: latencyBuckets,
      enableExemplars: true,
      registers,
    }),
    hopLatency: new Histogram({
      name: 'orderly_hop_latency_seconds',
      help: 'Time from an event being created to its being handled, per saga hop',
      labelNames: ['from', 'to'],
      buckets: latencyBuckets,
      enableExemplars: true,
      registers,
    }),
    brokerConnections: new Counter({
      name: 'orderly_broker_connection_events_total',
      help: 'Broker connection events (connect, disconnect, reconnect_scheduled), per connection (publish, consume, dead_letters)',
      labelNames: ['event', 'connection'],
      registers,
    }),
    undecodableHeaders: new Counter({
      name: 'orderly_broker_undecodable_headers_total',
      help: 'Deliveries whose headers table the client could not decode (a header bomb), replaced by x-orderly-undecodable',
      labelNames: ['connection'],
      registers,
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
