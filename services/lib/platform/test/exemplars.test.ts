import { trace } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import test from 'ava';
import { Histogram, type OpenMetricsContentType, Registry } from 'prom-client';
import { observeLatency, traceparentExemplar } from '../src/metrics.js';

/**
 * Exemplars link a latency bucket to its trace in Tempo. Under ratio sampling (production: 10 %)
 * most traces are never exported, so only a sampled span may become an exemplar. The SDK is the
 * one the services run (NodeSDK), configured by the same variables the chart sets.
 */
let sdk: NodeSDK;
/** What the SDK exported: the traces an exemplar may link to. */
const exported = new InMemorySpanExporter();
test.before(() => {
  Object.assign(process.env, {
    OTEL_TRACES_SAMPLER: 'traceidratio',
    OTEL_TRACES_SAMPLER_ARG: '0.1',
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
  });
  sdk = new NodeSDK({ spanProcessors: [new SimpleSpanProcessor({ exporter: exported })] });
  sdk.start();
});
test.after.always(() => sdk.shutdown());

/** The exemplar (trace id) of one observation made inside a new span, and whether that span was sampled. */
async function observeInSpan(): Promise<{ sampled: boolean; traceId: string; exemplar: string | undefined }> {
  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const h = new Histogram({ name: 'latency_seconds', help: 'x', buckets: [1], enableExemplars: true, registers: [registry] });
  return trace.getTracer('exemplars-test').startActiveSpan('op', async (span) => {
    observeLatency(h, {}, 0.5);
    span.end();
    const { traceId, traceFlags } = span.spanContext();
    const exemplar = /# \{trace_id="([0-9a-f]{32})"\}/.exec(await registry.metrics())?.[1];
    return { sampled: (traceFlags & 1) === 1, traceId, exemplar };
  });
}

test('at ratio sampling, an unsampled span gets no exemplar and a sampled one gets its trace id', async (t) => {
  const seen = { sampled: 0, unsampled: 0 };
  const exemplars: string[] = [];
  // 10 % sampling: 400 spans give both kinds (all 400 unsampled has probability 0.9^400 ≈ 5e-19).
  for (let i = 0; i < 400; i++) {
    const o = await observeInSpan();
    if (o.exemplar) exemplars.push(o.exemplar);
    if (o.sampled) {
      seen.sampled++;
      t.is(o.exemplar, o.traceId, 'a sampled span is the exemplar');
    } else {
      seen.unsampled++;
      t.is(o.exemplar, undefined, `unsampled trace ${o.traceId} must not be an exemplar`);
    }
  }
  t.true(seen.sampled > 0 && seen.unsampled > seen.sampled, JSON.stringify(seen));
  // Every exemplar names a trace the SDK exported: the link in Grafana finds it. (The processor
  // hands each span to the exporter asynchronously.)
  await new Promise((r) => setTimeout(r, 200));
  const traces = new Set(exported.getFinishedSpans().map((s) => s.spanContext().traceId));
  t.deepEqual(
    exemplars.filter((id) => !traces.has(id)),
    [],
  );
});

test('a stored traceparent is an exemplar only when its flags say sampled', (t) => {
  const id = '4bf92f3577b34da6a3ce929d0e0e4736';
  t.deepEqual(traceparentExemplar(`00-${id}-00f067aa0ba902b7-01`), { trace_id: id });
  t.deepEqual(traceparentExemplar(`00-${id}-00f067aa0ba902b7-00`), {});
  t.deepEqual(traceparentExemplar(`00-${'0'.repeat(32)}-00f067aa0ba902b7-01`), {});
  t.deepEqual(traceparentExemplar(undefined), {});
});
