import test from 'ava';
import { Gauge } from 'prom-client';
import { tokenVerifier } from '../src/http/auth.js';
import { createApp } from '../src/http/server.js';
import { Lifecycle } from '../src/lifecycle.js';
import { createLogger } from '../src/logger.js';
import { createMetrics } from '../src/metrics.js';
import { testIssuer } from '../src/testing/issuer.js';
import { listening } from './fixture/listening.js';

/**
 * /metrics is open to anyone: a flood of anonymous scrapes must not make the
 * service read its metrics once per request — each read walks every metric and asks the pool and
 * the database. At most one render per format runs at a time, and its answer serves the scrapes
 * of the next METRICS_MAX_AGE_MS. Counted by a gauge whose collect() runs once per render.
 */
const maxAgeMs = 1_500;
const metrics = createMetrics('flood');
let reads = 0;
let value = 1;
new Gauge({
  name: 'flood_reads_probe',
  help: 'reads of the registry',
  registers: [metrics.registry],
  collect() {
    reads++;
    this.set(value);
  },
});

let app: Awaited<ReturnType<typeof listening>>;
test.before(async () => {
  const issuer = await testIssuer();
  const logger = createLogger('test', 'silent');
  app = await listening(
    createApp({ logger, metrics, lifecycle: new Lifecycle(), auth: tokenVerifier(issuer.auth), metricsMaxAgeMs: maxAgeMs }),
  );
});
test.after.always(() => app?.close());

const scrape = async (accept?: string) => {
  const res = await fetch(`${app.base}/metrics`, { headers: accept ? { accept } : {} });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
};

test.serial(
  'when 50 anonymous scrapes arrive at once, then the metrics are read once per interval and every scrape is answered',
  async (t) => {
    await new Promise((r) => setTimeout(r, maxAgeMs));
    const before = reads;
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: 50 }, () => scrape()));
    const elapsed = performance.now() - started;
    const read = reads - before;
    t.log(`50 scrapes in ${Math.round(elapsed)} ms: ${read} read(s) of the registry`);
    // Once, unless a loaded machine spread the scrapes over more than one interval.
    t.true(read <= 1 + Math.floor(elapsed / maxAgeMs), `${read} reads in ${Math.round(elapsed)} ms`);
    t.true(answers.every((a) => a.status === 200));
    t.regex(answers[0]!.body, /^flood_reads_probe\{service="flood"\} 1$/m);
  },
);

test.serial('when a scraper asks for OpenMetrics meanwhile, then it gets OpenMetrics, not the shared text answer', async (t) => {
  const text = await scrape();
  const open = await scrape('application/openmetrics-text;version=1.0.0');
  t.regex(text.type, /^text\/plain; version=0\.0\.4/);
  t.regex(open.type, /^application\/openmetrics-text; version=1\.0\.0/);
  t.true(open.body.endsWith('# EOF\n'));
  t.false(text.body.includes('# EOF'));
});

test.serial('when the interval has passed, then a scrape reads the metrics again and sees what changed', async (t) => {
  await scrape();
  value = 2;
  t.regex((await scrape()).body, /^flood_reads_probe\{service="flood"\} 1$/m, 'within the interval: the shared answer');
  await new Promise((r) => setTimeout(r, maxAgeMs + 50));
  t.regex((await scrape()).body, /^flood_reads_probe\{service="flood"\} 2$/m);
});
