import { waitFor } from '@orderly/platform/testing';
import { type ApiClient, type ApiResponse, allServices, type ServiceName, Stack } from '@orderly/testkit';
import test from 'ava';
import { base64url, exportSPKI, generateKeyPair, importJWK, SignJWT, UnsecuredJWT } from 'jose';

/**
 * Who may call what, on every route of every service, against the real services with tokens from
 * the real demo OpenID Connect provider: C100 owns the order, C200 is another customer, the
 * operator is the tools client (client credentials).
 */
let stack: Stack;
let c100: ApiClient;
let c200: ApiClient;
let anonymous: ApiClient;
/** C100's order, its shipment, a product. */
const ids = { orderId: '', shipmentId: '', sku: 'BOOK-ALICE' };

test.before(async () => {
  stack = await (await Stack.create('authorization')).start();
  c100 = stack.asCustomer('C100');
  c200 = stack.asCustomer('C200');
  anonymous = stack.as(undefined);
  const placed = await c100.placeOrder({ items: [{ sku: ids.sku, qty: 1 }], paymentMethod: 'pm_card_visa' });
  if (placed.status !== 202) throw new Error(`C100 could not order: ${placed.status} ${JSON.stringify(placed.body)}`);
  ids.orderId = placed.body.orderId;
  await stack.orderReaches(ids.orderId, ['CONFIRMED', 'SHIPPED', 'DELIVERED']);
  ids.shipmentId = await waitFor(async () => (await stack.http('shipping', `/shipments?orderId=${ids.orderId}`)).body[0]?.shipmentId);
  await waitFor(async () =>
    (await stack.http('notification', `/notifications?orderId=${ids.orderId}`)).body.length > 0 ? true : undefined,
  );
  await waitFor(async () => ((await stack.http('customer', '/customers/C100')).status === 200 ? true : undefined));
});
test.after.always(async () => {
  await stack?.dispose();
});

type Rule =
  /** Operators only: a customer gets 403. */
  | { kind: 'operator' }
  /** Any signed-in caller (the catalogue). */
  | { kind: 'anyone' }
  /** C100's resource: another customer gets `status` (404: it does not exist for them; 403: refused, as a query that names someone else). */
  | { kind: 'owned'; status: 403 | 404 }
  /** A list filtered to the caller: another customer gets 200 and nothing of C100's. */
  | { kind: 'filtered' };

interface Route {
  service: ServiceName;
  method: 'GET' | 'POST' | 'PUT';
  path: () => string;
  body?: unknown;
  rule: Rule;
}

const routes: Route[] = [
  {
    service: 'order',
    method: 'POST',
    path: () => '/orders',
    body: { customerId: 'C100', items: [{ sku: 'BOOK-ALICE', qty: 1 }] },
    rule: { kind: 'owned', status: 403 },
  },
  { service: 'order', method: 'GET', path: () => `/orders/${ids.orderId}`, rule: { kind: 'owned', status: 404 } },
  { service: 'order', method: 'POST', path: () => `/orders/${ids.orderId}/cancel`, rule: { kind: 'owned', status: 404 } },
  { service: 'order', method: 'GET', path: () => '/orders?customerId=C100', rule: { kind: 'owned', status: 403 } },
  { service: 'inventory', method: 'GET', path: () => '/products', rule: { kind: 'anyone' } },
  { service: 'inventory', method: 'GET', path: () => `/products/${ids.sku}`, rule: { kind: 'anyone' } },
  { service: 'inventory', method: 'PUT', path: () => `/products/${ids.sku}/stock`, body: { available: 0 }, rule: { kind: 'operator' } },
  { service: 'payment', method: 'GET', path: () => `/payments?orderId=${ids.orderId}`, rule: { kind: 'operator' } },
  { service: 'payment', method: 'GET', path: () => `/payments/${ids.orderId}`, rule: { kind: 'operator' } },
  { service: 'notification', method: 'GET', path: () => `/notifications?orderId=${ids.orderId}`, rule: { kind: 'filtered' } },
  { service: 'notification', method: 'GET', path: () => '/notifications?customerId=C100', rule: { kind: 'owned', status: 403 } },
  { service: 'notification', method: 'GET', path: () => '/admin/emails/parked', rule: { kind: 'operator' } },
  { service: 'notification', method: 'POST', path: () => `/admin/emails/${ids.orderId}/retry`, rule: { kind: 'operator' } },
  { service: 'shipping', method: 'GET', path: () => `/shipments?orderId=${ids.orderId}`, rule: { kind: 'filtered' } },
  { service: 'shipping', method: 'GET', path: () => `/shipments/${ids.shipmentId}`, rule: { kind: 'owned', status: 404 } },
  {
    service: 'customer',
    method: 'POST',
    path: () => '/customers',
    body: { customerId: 'C100', name: 'Mallory', email: 'm@evil.example' },
    rule: { kind: 'owned', status: 403 },
  },
  {
    service: 'customer',
    method: 'PUT',
    path: () => '/customers/C100',
    body: { name: 'Mallory', email: 'm@evil.example' },
    rule: { kind: 'owned', status: 404 },
  },
  { service: 'customer', method: 'GET', path: () => '/customers/C100', rule: { kind: 'owned', status: 404 } },
  { service: 'customer', method: 'GET', path: () => '/customers/C100/orders', rule: { kind: 'owned', status: 404 } },
  { service: 'audit', method: 'GET', path: () => `/orders/${ids.orderId}/events`, rule: { kind: 'operator' } },
  { service: 'audit', method: 'GET', path: () => '/events.csv', rule: { kind: 'operator' } },
  { service: 'order', method: 'GET', path: () => '/orders/stats', rule: { kind: 'operator' } },
  { service: 'order', method: 'GET', path: () => '/orders/stuck', rule: { kind: 'operator' } },
  { service: 'order', method: 'GET', path: () => `/orders/${ids.orderId}/saga`, rule: { kind: 'operator' } },
  // Every service's admin routes (the console's dry run and pending outbox, the parked outbox rows).
  ...allServices.flatMap((service): Route[] => [
    { service, method: 'GET', path: () => `/admin/outbox?subject=${ids.orderId}`, rule: { kind: 'operator' } },
    { service, method: 'POST', path: () => '/admin/dry-run', body: { queue: service, body: '{}' }, rule: { kind: 'operator' } },
    { service, method: 'GET', path: () => '/admin/outbox/parked', rule: { kind: 'operator' } },
    { service, method: 'POST', path: () => '/admin/outbox/parked/republish', body: {}, rule: { kind: 'operator' } },
  ]),
];

const call = (api: ApiClient, r: Route, headers: Record<string, string> = {}): Promise<ApiResponse> =>
  api.http(r.service, r.path(), { method: r.method, headers, ...(r.body === undefined ? {} : { json: r.body }) }).catch(async () => {
    // text/csv is not JSON: read it as text
    const res = await fetch(api.url(r.service, r.path()), { method: r.method, headers: { ...headers } });
    return { status: res.status, headers: res.headers, body: await res.text() };
  });

const name = (r: Route) => `${r.method} ${r.service} ${r.path().replace(/[0-9a-f-]{36}/g, ':id')}`;

for (const r of routes) {
  test(`${name(r)}: without a token, then 401 with a Bearer challenge as problem+json`, async (t) => {
    const res = await call(anonymous, r);
    t.is(res.status, 401);
    t.regex(res.headers.get('www-authenticate') ?? '', /^Bearer /);
    t.regex(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    t.is(res.headers.get('x-content-type-options'), 'nosniff');
  });

  const { rule } = r;
  if (rule.kind === 'operator') {
    test(`${name(r)}: a customer's token, then 403 as problem+json`, async (t) => {
      const res = await call(c200, r);
      t.is(res.status, 403);
      t.regex(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    });
  } else if (rule.kind === 'owned') {
    test(`${name(r)}: another customer's token on C100's, then ${rule.status}`, async (t) => {
      const res = await call(c200, r);
      t.is(res.status, rule.status, JSON.stringify(res.body));
      t.regex(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    });
  } else if (rule.kind === 'filtered') {
    test(`${name(r)}: another customer's token, then nothing of C100's`, async (t) => {
      const res = await call(c200, r);
      t.is(res.status, 200);
      t.deepEqual(res.body, []);
    });
  } else {
    test(`${name(r)}: any customer's token, then 200`, async (t) => {
      t.is((await call(c200, r)).status, 200);
    });
  }
}

test("when C100 orders with their own token and no ids in the body, then the order is theirs with the token's email", async (t) => {
  const order = await c100.order(ids.orderId);
  t.like(order, { customerId: 'C100', email: 'c100@example.com' });
  const res = await c100.http('order', `/orders/${ids.orderId}`);
  t.is(res.headers.get('cache-control'), 'no-store', 'personal data is never cached');
});

test("when a customer's body names another email, then 403 and no order", async (t) => {
  const res = await c100.placeOrder({ email: 'someone@else.example', items: [{ sku: 'BOOK-ALICE', qty: 1 }] });
  t.is(res.status, 403);
});

test('when C100 reads their own things, then they are there; lists hold only theirs', async (t) => {
  t.is((await c100.http('customer', '/customers/C100')).status, 200);
  t.true((await c100.http('customer', '/customers/C100/orders')).body.some((o: { orderId: string }) => o.orderId === ids.orderId));
  t.is((await c100.http('shipping', `/shipments/${ids.shipmentId}`)).status, 200);
  t.is((await c100.http('shipping', `/shipments?orderId=${ids.orderId}`)).body.length, 1);
  const mine = (await c100.http('notification', '/notifications')).body as { customerId: string }[];
  t.true(mine.length > 0 && mine.every((n) => n.customerId === 'C100'));
  const orders = (await c100.http('order', '/orders')).body as { customerId: string }[];
  t.true(orders.length > 0 && orders.every((o) => o.customerId === 'C100'));
});

test('when C100 cancels an order of theirs, then it is cancelled; C200 cannot cancel it', async (t) => {
  const placed = await c100.placeOrder({ items: [{ sku: 'BOOK-ALICE', qty: 1 }] });
  t.is(placed.status, 202);
  t.is((await c200.cancel(placed.body.orderId)).status, 404);
  const cancelled = await c100.cancel(placed.body.orderId);
  t.true([200, 409].includes(cancelled.status), JSON.stringify(cancelled.body));
});

test('when two customers use the same Idempotency-Key, then each gets their own order', async (t) => {
  const headers = { 'Idempotency-Key': `shared-${Date.now()}` };
  const body = { items: [{ sku: 'BOOK-ALICE', qty: 1 }] };
  const first = await c100.placeOrder(body, headers);
  const second = await c200.placeOrder(body, headers);
  t.is(first.status, 202);
  t.is(second.status, 202);
  t.not(first.body.orderId, second.body.orderId);
  t.is((await c100.placeOrder(body, headers)).body.orderId, first.body.orderId, 'the same customer replays');
});

test('when the operator signs in through the browser flow (ops account), then operator routes answer', async (t) => {
  const ops = stack.asCustomer('ops');
  t.is((await ops.http('payment', `/payments/${ids.orderId}`)).status, 200);
  t.is((await ops.http('audit', `/orders/${ids.orderId}/events`)).status, 200);
});

const now = () => Math.floor(Date.now() / 1000);

/** Tokens every service must refuse with 401, each for one reason; the first is the control that must pass. */
async function badTokens(): Promise<[string, string][]> {
  const id = stack.identity;
  const claims = { iss: id.issuer, aud: id.audience, sub: 'C100', email: 'c100@example.com', exp: now() + 300 };
  const stranger = await generateKeyPair('ES256');
  const publicPem = await exportSPKI((await importJWK(id.publicJwk, 'ES256', { extractable: true })) as Parameters<typeof exportSPKI>[0]);
  const kid = id.publicJwk.kid as string;
  const [h, , s] = (await id.forge({})).split('.');
  return [
    ['expired', await id.forge({ exp: now() - 120, iat: now() - 1000 })],
    ['from another issuer', await id.forge({ iss: 'https://other-issuer.example' })],
    ['for another audience', await id.forge({ aud: 'urn:another:api' })],
    ['signed with an unknown key', await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid }).sign(stranger.privateKey)],
    ['alg none', new UnsecuredJWT(claims).encode()],
    [
      'HS256 signed with the public key',
      await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid }).sign(new TextEncoder().encode(publicPem)),
    ],
    ['tampered', `${h}.${base64url.encode(JSON.stringify({ ...claims, roles: ['orderly-operator'] }))}.${s}`],
    // RFC 9068: signed with the provider's own key, but an ID token (typ JWT) or untyped is no access token.
    ['typed JWT', await id.forge({}, { typ: 'JWT' })],
    ['untyped', await id.forge({}, { typ: undefined })],
    ['a numeric subject', await id.forge({ sub: 100 as unknown as string })],
    ['an array subject', await id.forge({ sub: ['C100', 'C200'] as unknown as string })],
  ];
}

/** One authenticated route per service, readable by C100. */
const probes: [ServiceName, () => string][] = [
  ['order', () => `/orders/${ids.orderId}`],
  ['inventory', () => '/products'],
  ['payment', () => '/payments'], // operator route: the control token (a customer) gets 403, never 200
  ['notification', () => '/notifications'],
  ['shipping', () => `/shipments?orderId=${ids.orderId}`],
  ['customer', () => '/customers/C100'],
  ['audit', () => '/events.csv'],
];

for (const [service, path] of probes) {
  test(`${service}: expired, other issuer, other audience, unknown key, alg none, HS256 with the public key, tampered, not at+jwt and non-string-sub tokens are 401; a well-made one is not`, async (t) => {
    const control = await stack.identity.forge({});
    const ok = await fetch(stack.url(service, path()), { headers: { authorization: `Bearer ${control}` } });
    t.true([200, 403].includes(ok.status), `control: ${ok.status}`);
    for (const [what, token] of await badTokens()) {
      const res = await fetch(stack.url(service, path()), { headers: { authorization: `Bearer ${token}` } });
      t.is(res.status, 401, what);
      t.regex(res.headers.get('www-authenticate') ?? '', /error="invalid_token"/, what);
    }
  });
}
