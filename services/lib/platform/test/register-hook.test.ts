import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import test from 'ava';
import { createTestEnv, type TestEnv } from '../src/testing/index.js';

/**
 * The tracing entry point as the services load it (`node --import …/register.js`), in a process of
 * its own that exports over OTLP to a receiver here: HTTP client calls carry the trace, and SQL
 * statements are counted on the handler's span rather than each getting a span.
 */
type Span = { name: string; kind: number; traceId: string; spanId: string; parentSpanId?: string; attributes: Record<string, unknown> };
type AnyValue = { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean };

const register = new URL('../dist/src/telemetry/register.js', import.meta.url).pathname;
const fixture = new URL('./fixture/traced-calls.mjs', import.meta.url).pathname;
let env: TestEnv;
test.before(async () => {
  env = await createTestEnv('register_hook');
});
test.after.always(() => env?.cleanup());

async function run(extraEnv: Record<string, string>): Promise<{ spans: Span[]; seen: IncomingHttpHeaders[] }> {
  const spans: Span[] = [];
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const payload = JSON.parse(body) as {
          resourceSpans: { scopeSpans: { spans: (Omit<Span, 'attributes'> & { attributes?: { key: string; value: AnyValue }[] })[] }[] }[];
        };
        for (const s of payload.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((ss) => ss.spans)))
          spans.push({ ...s, attributes: Object.fromEntries((s.attributes ?? []).map((a) => [a.key, attributeValue(a.value)])) });
      } else seen.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    await promisify(execFile)(process.execPath, ['--import', register, fixture, `${base}/orders`, env.databaseUrl], {
      env: {
        ...process.env,
        OTEL_SERVICE_NAME: 'fixture',
        OTEL_EXPORTER_OTLP_ENDPOINT: base,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_TRACES_SAMPLER: 'always_on',
        OTEL_BSP_SCHEDULE_DELAY: '50',
        OTEL_METRICS_EXPORTER: 'none',
        OTEL_LOGS_EXPORTER: 'none',
        ...extraEnv,
      },
    });
  } finally {
    server.close();
  }
  return { spans, seen };
}

function attributeValue(v: AnyValue): unknown {
  return v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : (v.doubleValue ?? v.boolValue));
}

test('when a handler calls a service over HTTP, then the call is a CLIENT span by the HTTP conventions and the service receives its traceparent', async (t) => {
  const { spans, seen } = await run({});
  const handler = spans.find((s) => s.name === 'handler');
  const client = spans.find((s) => s.kind === 3);
  if (!handler || !client) return t.fail(`spans: ${spans.map((s) => s.name).join(', ')}`);
  t.is(client.parentSpanId, handler.spanId);
  t.is(client.name, 'GET');
  t.like(client.attributes, { 'http.request.method': 'GET', 'server.address': '127.0.0.1', 'http.response.status_code': 200 });
  t.is(typeof client.attributes['server.port'], 'number');
  t.regex(String(client.attributes['url.full']), /\/orders$/);
  const traceparent = String(seen.find((h) => h.traceparent)?.traceparent ?? '');
  t.is(traceparent, `00-${handler.traceId}-${client.spanId}-01`, 'the service continues the caller’s trace');
});

test('when a handler runs statements, then by default they are counted on its span and none gets a span of its own', async (t) => {
  const { spans } = await run({});
  const handler = spans.find((s) => s.name === 'handler');
  t.is(handler?.attributes['orderly.db.statement_count'], 3);
  t.true(Number(handler?.attributes['orderly.db.duration']) > 0);
  t.deepEqual(
    spans.filter((s) => 'db.system.name' in s.attributes || 'db.system' in s.attributes).map((s) => s.name),
    [],
  );
});

test('when statement spans are switched on, then each is named by its query summary, not a prepared-statement name', async (t) => {
  const { spans } = await run({ ORDERLY_TRACE_STATEMENTS: 'true' });
  const db = spans.filter((s) => s.attributes['db.system.name'] === 'postgresql' || s.attributes['db.system'] === 'postgresql');
  t.deepEqual(db.map((s) => s.name).sort(), ['SELECT', 'SELECT', 'SELECT']);
  for (const s of db) t.like(s.attributes, { 'db.operation.name': 'SELECT', 'db.query.summary': 'SELECT' });
  const handler = spans.find((s) => s.name === 'handler');
  t.is(handler?.attributes['orderly.db.statement_count'], 3, 'still counted on the handler’s span');
});
