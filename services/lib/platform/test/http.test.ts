import { STATUS_CODES } from 'node:http';
import Router from '@koa/router';
import test from 'ava';
import { z } from 'zod';
import { tokenVerifier } from '../src/http/auth.js';
import { createApp } from '../src/http/server.js';
import { bodyOf, parseOr400 } from '../src/http/validate.js';
import { Lifecycle } from '../src/lifecycle.js';
import { createLogger } from '../src/logger.js';
import { createMetrics } from '../src/metrics.js';
import { testIssuer } from '../src/testing/issuer.js';
import { listening } from './fixture/listening.js';

const issuer = await testIssuer();
const auth = tokenVerifier(issuer.auth);
const bearer = { authorization: `Bearer ${await issuer.operator()}` };

const lifecycle = new Lifecycle();
const routes = new Router();
routes.get('/orders/:id', (ctx) => {
  ctx.body = { orderId: ctx.params.id };
});
routes.get('/boom', () => {
  throw new Error('secret database password in stack');
});
routes.post('/echo', (ctx) => {
  ctx.body = (ctx.request as { body?: unknown }).body;
});
routes.put('/echo', (ctx) => {
  ctx.body = (ctx.request as { body?: unknown }).body;
});
routes.post('/named', (ctx) => {
  ctx.body = parseOr400(z.strictObject({ name: z.string() }), bodyOf(ctx));
});

let app: Awaited<ReturnType<typeof listening>>;
let base: string;
test.before(async () => {
  app = await listening(
    createApp({ logger: createLogger('test', 'silent'), metrics: createMetrics('test'), lifecycle, routes, auth, bodyLimit: '1kb' }),
  );
  base = app.base;
});
test.after.always(() => app?.close());

const post = (path: string, body: string) =>
  fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer }, body });

async function expectProblem(t: import('ava').ExecutionContext, response: Response, status: number) {
  t.is(response.status, status);
  t.regex(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const body = (await response.json()) as { status: number; title: string; type: string };
  t.is(body.status, status);
  t.is(body.type, 'about:blank');
  // RFC 9457 §4.2.1: under about:blank the title is the status phrase.
  t.is(body.title, STATUS_CODES[status] ?? '(none)');
  return body;
}

test('when /healthz is asked, then it answers 200', async (t) => {
  t.is((await fetch(`${base}/healthz`)).status, 200);
});

// One test, because the states follow each other on the shared Lifecycle.
test.serial('when the service starts, becomes ready and drains, then /readyz answers 503, 200, 503', async (t) => {
  t.is((await fetch(`${base}/readyz`)).status, 503);
  lifecycle.markReady();
  t.is((await fetch(`${base}/readyz`)).status, 200);
  lifecycle.markDraining();
  t.is((await fetch(`${base}/readyz`)).status, 503);
});

test('when /metrics is scraped after a request, then it shows process metrics and the route template, not the raw path', async (t) => {
  t.is((await fetch(`${base}/orders/abc-123`, { headers: bearer })).status, 200);
  const text = await (await fetch(`${base}/metrics`)).text();
  t.regex(text, /^process_cpu_user_seconds_total/m);
  t.regex(text, /^http_server_request_duration_seconds_count\{[^}]*route="\/orders\/:id"[^}]*status_code="200"/m);
  t.false(text.includes('abc-123'));
});

test('when a route does not exist, then the answer is a 404 problem', async (t) => {
  const body = await expectProblem(t, await fetch(`${base}/nowhere`, { headers: bearer }), 404);
  t.is((body as { detail?: string }).detail, 'no route for GET /nowhere');
});

test('when a route throws an unexpected error, then the answer is a 500 problem that does not reveal it', async (t) => {
  const response = await fetch(`${base}/boom`, { headers: bearer });
  const text = await response.clone().text();
  await expectProblem(t, response, 500);
  t.false(text.includes('secret'), text);
});

test('when the body is not valid JSON, then the answer is a 400 problem', async (t) => {
  await expectProblem(t, await post('/echo', '{"customerId": '), 400);
});

test('when a route exists but not for the method, then the 405 names the allowed methods in Allow', async (t) => {
  const response = await fetch(`${base}/echo`, { method: 'DELETE', headers: bearer });
  await expectProblem(t, response, 405);
  t.is(response.headers.get('allow'), 'POST, PUT');
});

test('when a body is not JSON, then the answer is a 415 problem, and a POST without content still passes', async (t) => {
  const form = await fetch(`${base}/echo`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...bearer },
    body: 'a=1',
  });
  await expectProblem(t, form, 415);
  t.is(form.headers.get('accept-post'), 'application/json');
  const text = await fetch(`${base}/echo`, { method: 'PUT', headers: { 'content-type': 'text/plain', ...bearer }, body: '{}' });
  await expectProblem(t, text, 415);
  t.is((await fetch(`${base}/echo`, { method: 'POST', headers: bearer })).status, 200);
});

test('when a field is invalid, then the problem has the validation type, its title and invalid-params, and its URI explains it', async (t) => {
  const response = await post('/named', '{"name": 1}');
  t.is(response.status, 400);
  const body = (await response.json()) as { type: string; title: string; 'invalid-params': { name: string }[] };
  t.is(body.type, '/problems/validation');
  t.is(body.title, 'Invalid request');
  t.deepEqual(
    body['invalid-params'].map((p) => p.name),
    ['name'],
  );
  const page = await fetch(new URL(body.type, base));
  t.is(page.status, 200, 'a problem type URI is served without a token');
  t.regex(await page.text(), /invalid-params/);
  t.is((await fetch(`${base}/problems/constructor`)).status, 404);
});

test('when the body is valid JSON within the limit, then the route receives it', async (t) => {
  const response = await post('/echo', '{"a":[1,2]}');
  t.is(response.status, 200);
  t.deepEqual(await response.json(), { a: [1, 2] });
});

test('when the body is over the limit, then the answer is a 413 problem', async (t) => {
  await expectProblem(t, await post('/echo', JSON.stringify({ pad: 'x'.repeat(2048) })), 413);
});

test('when the API document is asked for, then it lists every route with its request schema, and /docs serves Swagger UI without a CDN', async (t) => {
  const routes = new Router();
  routes.post('/things/:id', (ctx) => {
    ctx.body = {};
  });
  const lifecycle = new Lifecycle();
  const app = createApp({
    logger: createLogger('test', 'silent'),
    metrics: createMetrics('test'),
    lifecycle,
    routes,
    auth,
    info: { service: 'things' },
    api: {
      title: 'Things',
      operations: {
        'POST /things/{id}': {
          summary: 'Make a thing',
          body: z.strictObject({ name: z.string().min(1) }),
          responses: { 200: { description: 'Made' } },
        },
      },
    },
  });
  const server = app.listen(0);
  const { port } = server.address() as { port: number };
  try {
    const doc = (await (await fetch(`http://127.0.0.1:${port}/openapi.json`)).json()) as {
      openapi: string;
      info: { title: string };
      paths: Record<
        string,
        Record<string, { parameters: { name: string }[]; requestBody?: { content: Record<string, { schema: { required: string[] } }> } }>
      >;
    };
    t.is(doc.openapi, '3.1.0');
    t.is(doc.info.title, 'Things');
    t.deepEqual(Object.keys(doc.paths).sort(), [
      '/asyncapi.html',
      '/asyncapi.json',
      '/docs',
      '/docs/swagger-init.js',
      '/docs/{asset}',
      '/healthz',
      '/metrics',
      '/openapi.json',
      '/problems/{type}',
      '/readyz',
      '/things/{id}',
    ]);
    t.deepEqual(
      doc.paths['/things/{id}']?.post?.parameters.map((p) => p.name),
      ['id'],
    );
    t.deepEqual(doc.paths['/things/{id}']?.post?.requestBody?.content['application/json']?.schema.required, ['name']);
    const docs = await fetch(`http://127.0.0.1:${port}/docs`);
    t.regex(docs.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    const html = await docs.text();
    t.regex(html, /swagger-ui-bundle\.js/);
    t.notRegex(html, /<script>/, 'no inline script: the CSP would block it');
    t.is((await fetch(`http://127.0.0.1:${port}/docs/swagger-init.js`)).status, 200);
    const bundle = await fetch(`http://127.0.0.1:${port}/docs/swagger-ui-bundle.js`);
    t.is(bundle.status, 200);
    t.true((await bundle.text()).length > 100_000);
    // fetch normalises the path to /package.json: not a docs asset, so behind the token check.
    t.not((await fetch(`http://127.0.0.1:${port}/docs/../package.json`)).status, 200);
  } finally {
    server.close();
  }
});

test('when the AsyncAPI document and its page are asked for without a token, then both describe the messages', async (t) => {
  const doc = await fetch(`${base}/asyncapi.json`);
  t.is(doc.status, 200);
  const body = (await doc.json()) as { asyncapi: string; channels: Record<string, unknown> };
  t.is(body.asyncapi, '3.0.0');
  t.truthy(body.channels.orderly_events_order_placed);
  const page = await fetch(`${base}/asyncapi.html`);
  t.regex(page.headers.get('content-type') ?? '', /^text\/html/);
  t.regex(await page.text(), /order\.placed/);
});
