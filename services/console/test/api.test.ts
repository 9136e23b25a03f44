import { newEnvelope } from '@orderly/events';
import { definition as payment } from '@orderly/payment';
import { startTestService } from '@orderly/platform/testing';
import { committedCopyIsCurrent, redoclyLint } from '@orderly/testkit';
import test from 'ava';
import { api, confirmed, consoleTestEnv, declareTopology, type Json, park, startConsole, untilRecorded } from './helpers.js';

/**
 * The console's /api: operators only, every input checked (a clear 400 naming the field), the
 * search newest first page by page without consuming anything, and the dry run answered by the
 * service that owns the queue.
 */
const { env, cleanups } = await consoleTestEnv('api');
test.after.always(() => cleanups.run());

const orderA = crypto.randomUUID();
let console: Awaited<ReturnType<typeof startConsole>>;
let paymentPort: number;

test.before(async () => {
  await declareTopology(env);
  paymentPort = (await startTestService(payment, env, cleanups)).port;
  // Every service's URL is payment's: the only one these tests ask.
  console = await startConsole(env, cleanups, { SERVICE_URL_TEMPLATE: `http://127.0.0.1:${paymentPort}` });
  await park(env, 'shipping', 'shipping', JSON.stringify(confirmed(orderA)), {
    type: 'order.confirmed',
    headers: { 'x-orderly-error': 'Error: carrier 100% down_now' },
  });
  await park(env, 'customer', 'customer', JSON.stringify(confirmed(orderA)), {
    type: 'order.confirmed',
    headers: { 'x-orderly-error': 'Error: carrier 1000 down' },
  });
  for (let i = 0; i < 5; i++) await park(env, 'notification', 'notification', JSON.stringify(confirmed()), { type: 'order.confirmed' });
  const reserved = newEnvelope('inventory', 'inventory.reserved', orderA, {
    orderId: orderA,
    lines: [{ sku: 'TSHIRT-BLK-M', qty: 1, unitPriceCents: 1999 }],
    totalCents: 1999,
    currency: 'EUR',
    paymentMethod: 'pm_card_visa',
  });
  await park(env, 'payment', 'payment', JSON.stringify(reserved), {
    type: reserved.type,
    messageId: reserved.id,
    headers: { 'x-orderly-published-by': `${env.vhost}.inventory` },
  });
  await untilRecorded(console, env, 8);
});

const someId = '00000000-0000-4000-8000-000000000000';

test('when a customer calls any /api route, then it is a 403; without a token, a 401 asking for one', async (t) => {
  const document = (await (await fetch(console.url('/openapi.json'))).json()) as { paths: Record<string, Record<string, unknown>> };
  const routes = Object.entries(document.paths)
    .filter(([path]) => path.startsWith('/api/'))
    .flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path: path.replace(/\{[^}]+\}/g, someId) })),
    );
  t.true(routes.some((r) => r.path === '/api/dead-letters/redrive'));
  t.true(routes.length >= 5, routes.map((r) => `${r.method} ${r.path}`).join(', '));
  const customer = await env.issuer.customer('C100');
  for (const { method, path } of routes) {
    const json = method === 'GET' ? undefined : { ids: [someId], reason: 'x' };
    const asCustomer = await api(console, env, path, { method, json, token: customer });
    t.is(asCustomer.status, 403, `${method} ${path} as a customer`);
    const anonymous = await fetch(console.url(path), { method });
    t.is(anonymous.status, 401, `${method} ${path} without a token`);
    t.regex(anonymous.headers.get('www-authenticate') ?? '', /^Bearer/);
  }
});

test('when a filter or a body is wrong, then it is a 400 problem naming the field, and nothing changes', async (t) => {
  const bad: [string, string, unknown, string][] = [
    ['GET', '/api/dead-letters?queue=nope', undefined, 'queue'],
    ['GET', '/api/dead-letters?orderId=123', undefined, 'orderId'],
    ['GET', '/api/dead-letters?since=yesterday', undefined, 'since'],
    ['GET', '/api/dead-letters?since=2025-02-01T00:00:00Z&until=2025-01-01T00:00:00Z', undefined, 'until'],
    ['GET', '/api/dead-letters?limit=0', undefined, 'limit'],
    ['GET', '/api/dead-letters?limit=501', undefined, 'limit'],
    ['GET', '/api/dead-letters?status=gone', undefined, 'status'],
    ['GET', '/api/dead-letters?cursor=bm90LWEtY3Vyc29y', undefined, 'cursor'],
    ['GET', '/api/dead-letters?queue=order&queue=payment', undefined, 'queue'],
    ['GET', '/api/dead-letters?colour=red', undefined, 'colour'],
    ['GET', `/api/dead-letters?q=${'x'.repeat(201)}`, undefined, 'q'],
    ['GET', '/api/dead-letters?q=%00', undefined, 'q'],
    ['GET', '/api/dead-letters/not-a-uuid', undefined, 'id'],
    ['POST', '/api/dead-letters/redrive', {}, 'ids'],
    ['POST', '/api/dead-letters/redrive', { ids: [someId], filter: {} }, 'ids'],
    ['POST', '/api/dead-letters/redrive', { ids: ['x'] }, 'ids.0'],
    ['POST', '/api/dead-letters/redrive', { filter: { queue: 'nope' } }, 'filter.queue'],
    ['POST', '/api/dead-letters/redrive', { filter: {}, everything: true }, 'everything'],
    ['POST', '/api/dead-letters/discard', { filter: {} }, 'reason'],
    ['POST', '/api/dead-letters/discard', { filter: {}, reason: '   ' }, 'reason'],
    ['POST', '/api/dead-letters/discard', { ids: [], reason: 'x' }, 'ids'],
  ];
  for (const [method, path, json, field] of bad) {
    const res = await api(console, env, path, { method, json });
    t.is(res.status, 400, `${method} ${path} ${JSON.stringify(json)}: ${JSON.stringify(res.body)}`);
    t.true(
      (res.body['invalid-params'] as { name: string }[]).some((p) => p.name === field),
      `${path} ${JSON.stringify(json)} names ${field}: ${JSON.stringify(res.body)}`,
    );
  }
  const parked = await api(console, env, '/api/dead-letters?status=parked&limit=500');
  t.is(parked.body.items.length, 8, 'nothing was redriven or discarded');
  t.is((await api(console, env, `/api/dead-letters/${someId}`)).status, 404);
});

test('when operators search, then the filters narrow, the error text matches literally, and pages run newest first without repeats', async (t) => {
  const items = async (query: string) => (await api(console, env, `/api/dead-letters?${query}`)).body.items as Json[];
  t.deepEqual(
    (await items(`orderId=${orderA}&queue=shipping`)).map((d) => d.queue),
    ['shipping'],
  );
  t.is((await items(`orderId=${orderA}`)).length, 3);
  t.is((await items('type=inventory.reserved'))[0]?.queue, 'payment');
  // % and _ are not wildcards: "100%" matches "100% down_now", not "1000 down".
  t.deepEqual(
    (await items('q=100%25')).map((d) => d.queue),
    ['shipping'],
  );
  t.deepEqual(
    (await items('q=DOWN_NOW')).map((d) => d.queue),
    ['shipping'],
  );
  t.is((await items('q=0_d')).length, 0);
  t.is((await items(`since=${new Date(Date.now() + 60_000).toISOString()}`)).length, 0);
  t.is((await items(`until=${new Date(Date.now() + 60_000).toISOString()}`)).length, 8);

  const seen: Json[] = [];
  let cursor: string | undefined;
  do {
    const page = await api(console, env, `/api/dead-letters?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
    t.is(page.status, 200);
    t.true(page.body.items.length <= 3);
    seen.push(...page.body.items);
    cursor = page.body.next;
  } while (cursor);
  t.is(seen.length, 8);
  t.is(new Set(seen.map((d) => d.id)).size, 8, 'no row twice');
  const times = seen.map((d) => Date.parse(d.failedAt));
  t.deepEqual(
    times,
    [...times].sort((a, b) => b - a),
    'newest first',
  );
});

test('when an operator dry-runs a parked message, then the owning service answers what it would do, and nothing changes', async (t) => {
  const [row] = (await api(console, env, '/api/dead-letters?queue=payment')).body.items as Json[];
  const answer = await api(console, env, `/api/dead-letters/${row.id}/dry-run`, { method: 'POST' });
  t.is(answer.status, 200, JSON.stringify(answer.body));
  t.is(answer.body.outcome, 'would-succeed');
  t.deepEqual(
    answer.body.emitted.map((e: Json) => e.type),
    ['payment.completed'],
  );
  // A dry run is no redrive: the message is still parked and the payment was never made.
  t.is((await api(console, env, `/api/dead-letters/${row.id}`)).body.status, 'parked');
  const payments = await fetch(`http://127.0.0.1:${paymentPort}/payments/${orderA}`, {
    headers: { authorization: `Bearer ${await env.issuer.operator()}` },
  });
  t.is(payments.status, 404);
});

test('when the API document is read, then the dead-letter routes and their bodies are in it', async (t) => {
  const document = (await (await fetch(console.url('/openapi.json'))).json()) as Json;
  for (const path of ['/api/dead-letters', '/api/dead-letters/{id}', '/api/dead-letters/{id}/dry-run'])
    t.truthy(document.paths[path], path);
  // "ids or filter, exactly one": two variants, each requiring its own selection.
  const variants = document.paths['/api/dead-letters/redrive'].post.requestBody.content['application/json'].schema.oneOf;
  t.deepEqual(
    variants.map((v: Json) => v.required),
    [['ids'], ['filter']],
  );
  t.deepEqual(document.paths['/api/dead-letters/discard'].post.requestBody.content['application/json'].schema.oneOf[0].required, [
    'ids',
    'reason',
  ]);
  const undocumented = Object.entries(document.paths as Record<string, Record<string, Json>>).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([, op]) => op['x-undocumented'])
      .map(([m]) => `${m} ${path}`),
  );
  t.deepEqual(undocumented, [], 'every route of the console has its answers described');
  // The queries the console validates are the ones it documents.
  const parameters = (path: string) => (document.paths[path].get.parameters as { name: string }[]).map((p) => p.name);
  t.deepEqual(parameters('/api/orders'), ['status', 'customerId', 'since', 'until', 'reason', 'limit', 'cursor']);
  t.deepEqual(parameters('/api/stuck'), ['olderThanS']);
  t.true(
    committedCopyIsCurrent('openapi.console.json', document),
    'docs/api/openapi.console.json is not current: npm run contracts:openapi',
  );
  // The same outside linter and rules as the seven services' documents. Two steps of the browser's
  // sign-in answer only a redirect or a notice page, never a 2XX: named here, not switched off.
  const lint = await redoclyLint(
    { console: document },
    {
      console: {
        'operation-2xx-response': ['#/paths/~1auth~1login/get/responses', '#/paths/~1auth~1callback/get/responses'],
      },
    },
  );
  t.regex(lint.out, /2 problems are explicitly ignored/);
  t.is(lint.code, 0, lint.out);
  t.notRegex(lint.out, /warning/i, lint.out);
});
