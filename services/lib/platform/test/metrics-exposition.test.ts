import { spawnSync } from 'node:child_process';
import type { Server } from 'node:http';
import Router from '@koa/router';
import { trace } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import test from 'ava';
import { tokenVerifier } from '../src/http/auth.js';
import { createApp } from '../src/http/server.js';
import { Lifecycle } from '../src/lifecycle.js';
import { createLogger } from '../src/logger.js';
import { createMetrics, observeLatency } from '../src/metrics.js';
import { testIssuer } from '../src/testing/issuer.js';
import { listening } from './fixture/listening.js';

/**
 * /metrics as scrapers and tools read it: the Prometheus text format unless OpenMetrics is asked
 * for, checked by Prometheus' own `promtool check metrics` (Debian's prometheus package).
 */
const promtool = process.env.PROMTOOL ?? '/usr/bin/promtool';
const openMetricsAccept =
  'application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2';

let sdk: NodeSDK;
let server: Server;
let base: string;
const metrics = createMetrics('exposition');
test.before(async () => {
  Object.assign(process.env, { OTEL_TRACES_SAMPLER: 'always_on', OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' });
  sdk = new NodeSDK({ traceExporter: { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} } });
  sdk.start();
  const issuer = await testIssuer();
  const app = await listening(
    createApp({
      logger: createLogger('test', 'silent'),
      metrics,
      lifecycle: new Lifecycle(),
      routes: new Router(),
      auth: tokenVerifier(issuer.auth),
    }),
  );
  server = app.server;
  base = app.base;
});
test.after.always(async () => {
  server?.close();
  await sdk?.shutdown();
});

/**
 * promtool's findings, less its lint of three gauges prom-client's default metrics name `_total`
 * (nodejs_active_*_total): a parse error or any other finding remains.
 */
function checkMetrics(text: string): string[] {
  const run = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  const findings = `${run.stdout}${run.stderr}`.split('\n').filter((l) => l.trim() !== '');
  const library = /^nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/;
  if (run.status !== 0 && findings.length === 0) return [`promtool exited ${run.status}`];
  return findings.filter((l) => !library.test(l));
}

async function scrape(accept?: string): Promise<{ type: string; body: string }> {
  const res = await fetch(`${base}/metrics`, { headers: accept ? { accept } : {} });
  return { type: res.headers.get('content-type') ?? '', body: await res.text() };
}

test.serial('when a fresh service is scraped, then every declared series is there at zero, and promtool accepts it', async (t) => {
  const { type, body } = await scrape();
  t.regex(type, /^text\/plain; version=0\.0\.4/);
  t.regex(body, /^orderly_messages_unroutable_total\{service="exposition"\} 0$/m);
  t.regex(body, /^orderly_messages_consumed_total\{service="exposition"\} 0$/m);
  t.regex(body, /^orderly_message_handle_duration_seconds_bucket\{le="\+Inf",service="exposition"\} 0$/m);
  t.deepEqual(checkMetrics(body), []);
});

test.serial(
  'when a latency with a trace is observed, then only an OpenMetrics scrape carries its exemplar, and the text scrape still passes promtool',
  async (t) => {
    const traceId = trace.getTracer('test').startActiveSpan('op', (span) => {
      observeLatency(metrics.handleDuration, { queue: 'q', type: 't' }, 0.02);
      metrics.published.inc({ exchange: 'orderly.events', type: 't' });
      span.end();
      return span.spanContext().traceId;
    });
    const open = await scrape(openMetricsAccept);
    t.regex(open.type, /^application\/openmetrics-text; version=1\.0\.0/);
    t.true(open.body.includes(`# {trace_id="${traceId}"}`), 'the exemplar is in the OpenMetrics answer');
    t.true(open.body.endsWith('# EOF\n'));
    t.regex(open.body, /^orderly_messages_published_total\{exchange="orderly.events",type="t",service="exposition"\} 1$/m);

    const text = await scrape('text/plain');
    t.false(text.body.includes('trace_id'), 'no exemplar in the text format');
    // The OpenMetrics scrape before must not have renamed the counter for the text one.
    t.regex(text.body, /^# TYPE orderly_messages_published_total counter$/m);
    t.deepEqual(checkMetrics(text.body), []);
    t.deepEqual(checkMetrics((await scrape()).body), [], 'no Accept header: the text format');
  },
);
