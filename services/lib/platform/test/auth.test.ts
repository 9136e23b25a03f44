import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import test from 'ava';
import { base64url, exportSPKI, generateKeyPair, importJWK, SignJWT, UnsecuredJWT } from 'jose';
import { actingFor, callerOf, ownedBy, requireOperator, tokenVerifier } from '../src/http/auth.js';
import { createApp } from '../src/http/server.js';
import { Lifecycle } from '../src/lifecycle.js';
import { createLogger } from '../src/logger.js';
import { createMetrics } from '../src/metrics.js';
import { testIssuer } from '../src/testing/issuer.js';

const issuer = await testIssuer();
const other = await generateKeyPair('ES256');
const rsa = await generateKeyPair('RS256');
const routes = new Router();
routes.get('/whoami', (ctx) => {
  ctx.body = callerOf(ctx);
});
routes.get('/operators-only', (ctx) => {
  requireOperator(ctx);
  ctx.body = { ok: true };
});
routes.get('/things/:owner', (ctx) => {
  ctx.body = ownedBy(ctx, { owner: ctx.params.owner! }, (r) => r.owner, 'thing');
});
routes.post('/for/:customer', (ctx) => {
  ctx.body = { customerId: actingFor(ctx, ctx.params.customer) };
});
const server = createApp({
  logger: createLogger('test', 'silent'),
  metrics: createMetrics('test'),
  lifecycle: new Lifecycle(),
  routes,
  auth: tokenVerifier({
    AUTH_ISSUER: issuer.issuer,
    AUTH_AUDIENCE: issuer.audience,
    AUTH_JWKS_URL: issuer.jwksUrl,
    AUTH_ALGORITHMS: ['ES256', 'RS256'],
    AUTH_CLOCK_SKEW_S: 30,
    AUTH_ROLES_CLAIM: 'realm_access.roles',
    AUTH_OPERATOR_ROLE: 'orderly-operator',
  }),
}).listen(0, '127.0.0.1');
test.after.always(() => {
  server.close();
  server.closeAllConnections();
});
const url = (path: string) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
const call = (path: string, token?: string, init: RequestInit = {}) =>
  fetch(url(path), { ...init, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });

const now = () => Math.floor(Date.now() / 1000);

/** Tokens that must all be refused with 401, each for one reason. */
const refused: [string, () => Promise<string>][] = [
  ['expired (beyond the clock skew)', () => issuer.sign({ sub: 'C1', exp: now() - 60 })],
  ['not valid yet (nbf beyond the clock skew)', () => issuer.sign({ sub: 'C1', nbf: now() + 120 })],
  ['from another issuer', () => issuer.sign({ sub: 'C1', iss: 'https://evil.example/' })],
  ['for another audience', () => issuer.sign({ sub: 'C1', aud: 'urn:someone:else' })],
  ['without a subject', () => issuer.sign({ email: 'c1@example.com' })],
  [
    'signed with an unknown key (same kid)',
    () =>
      new SignJWT({ sub: 'C1', iss: issuer.issuer, aud: issuer.audience, exp: now() + 300 })
        .setProtectedHeader({ alg: 'ES256', kid: 'test-1' })
        .sign(other.privateKey),
  ],
  [
    'signed with an unknown key (unknown kid)',
    () =>
      new SignJWT({ sub: 'C1', iss: issuer.issuer, aud: issuer.audience, exp: now() + 300 })
        .setProtectedHeader({ alg: 'RS256', kid: 'nobody' })
        .sign(rsa.privateKey),
  ],
  ['with alg none', async () => new UnsecuredJWT({ sub: 'C1', iss: issuer.issuer, aud: issuer.audience, exp: now() + 300 }).encode()],
  [
    'HS256-signed with the public key (PEM) as the secret',
    async () => {
      const pem = await exportSPKI((await importJWK(issuer.publicJwk, 'ES256', { extractable: true })) as Parameters<typeof exportSPKI>[0]);
      return new SignJWT({ sub: 'C1', iss: issuer.issuer, aud: issuer.audience, exp: now() + 300 })
        .setProtectedHeader({ alg: 'HS256', kid: 'test-1' })
        .sign(new TextEncoder().encode(pem));
    },
  ],
  [
    'HS256-signed with the public JWK as the secret',
    () =>
      new SignJWT({ sub: 'C1', iss: issuer.issuer, aud: issuer.audience, exp: now() + 300 })
        .setProtectedHeader({ alg: 'HS256', kid: 'test-1' })
        .sign(new TextEncoder().encode(JSON.stringify(issuer.publicJwk))),
  ],
  [
    'with a tampered payload',
    async () => {
      const [h, , s] = (await issuer.customer('C1')).split('.');
      return `${h}.${base64url.encode(JSON.stringify({ sub: 'C2', iss: issuer.issuer, aud: issuer.audience, exp: now() + 300 }))}.${s}`;
    },
  ],
  ['garbage', async () => 'not.a.jwt'],
  // RFC 9068: an access token says so; an ID token (typ JWT) or an untyped JWT of the same issuer is none.
  [
    'without the at+jwt type',
    () =>
      new SignJWT({ sub: 'C1', iss: issuer.issuer, aud: issuer.audience, exp: now() + 300 })
        .setProtectedHeader({ alg: 'ES256', kid: 'test-1' })
        .sign(issuer.privateKey),
  ],
  [
    'typed JWT (an ID token)',
    () =>
      new SignJWT({ sub: 'C1', iss: issuer.issuer, aud: issuer.audience, exp: now() + 300 })
        .setProtectedHeader({ alg: 'ES256', kid: 'test-1', typ: 'JWT' })
        .sign(issuer.privateKey),
  ],
  // The subject becomes the customer id: a number or a list is no id.
  ['with a numeric subject', () => issuer.sign({ sub: 100 as unknown as string })],
  ['with an array subject', () => issuer.sign({ sub: ['C1', 'C2'] as unknown as string })],
  ['with an empty subject', () => issuer.sign({ sub: '' })],
];

for (const [what, token] of refused) {
  test(`when the token is ${what}, then 401 with a Bearer invalid_token challenge as problem+json`, async (t) => {
    const res = await call('/whoami', await token());
    t.is(res.status, 401);
    t.regex(res.headers.get('www-authenticate') ?? '', /^Bearer realm="orderly", error="invalid_token"/);
    t.regex(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    t.is(((await res.json()) as { status: number }).status, 401);
  });
}

test('when no token is sent, then 401 with a plain Bearer challenge; Basic credentials are no token', async (t) => {
  const res = await call('/whoami');
  t.is(res.status, 401);
  t.is(res.headers.get('www-authenticate'), 'Bearer realm="orderly"');
  t.is(res.headers.get('cache-control'), 'no-store');
  t.is(res.headers.get('x-content-type-options'), 'nosniff');
  const basic = await fetch(url('/whoami'), { headers: { authorization: 'Basic YTpi' } });
  t.is(basic.status, 401);
});

test('when a route does not exist, then an unauthenticated caller learns nothing (401, not 404)', async (t) => {
  t.is((await call('/nowhere')).status, 401);
});

test('when the token expired within the clock skew, then it is still accepted', async (t) => {
  const res = await call('/whoami', await issuer.sign({ sub: 'C1', exp: now() - 10 }));
  t.is(res.status, 200);
});

test("when a customer's token is valid, then the caller is that customer with the token's email, and every answer is no-store and nosniff", async (t) => {
  const res = await call('/whoami', await issuer.customer('C7', 'seven@example.com'));
  t.is(res.status, 200);
  t.deepEqual(await res.json(), { kind: 'customer', customerId: 'C7', subject: 'C7', email: 'seven@example.com' });
  t.is(res.headers.get('cache-control'), 'no-store');
  t.is(res.headers.get('x-content-type-options'), 'nosniff');
});

test('when the roles claim is nested (Keycloak realm_access.roles), then the caller is an operator', async (t) => {
  const nested = await call('/whoami', await issuer.sign({ sub: 'kc-user', realm_access: { roles: ['orderly-operator'] } }));
  t.like(await nested.json(), { kind: 'operator', subject: 'kc-user' });
});

test('when a token has the operator role only in its requested scope, then the caller is a customer (403 on operator routes)', async (t) => {
  const scoped = await issuer.sign({ sub: 'C9', scope: 'openid orderly-operator' });
  t.like(await (await call('/whoami', scoped)).json(), { kind: 'customer', customerId: 'C9' });
  t.is((await call('/operators-only', scoped)).status, 403);
});

test('when AUTH_OPERATOR_SCOPE names a scope an administrator grants, then that scope (and only it) makes an operator', async (t) => {
  const verifier = tokenVerifier({ ...issuer.auth, AUTH_OPERATOR_SCOPE: 'orderly.admin' });
  t.like(await verifier.verify(await issuer.sign({ sub: 'tool', scope: 'orderly orderly.admin' })), { kind: 'operator' });
  t.like(await verifier.verify(await issuer.sign({ sub: 'C9', scope: 'orderly orderly-operator' })), { kind: 'customer' });
});

test('when a customer calls an operator route, then 403 insufficient_scope; an operator passes', async (t) => {
  const res = await call('/operators-only', await issuer.customer('C1'));
  t.is(res.status, 403);
  t.regex(res.headers.get('www-authenticate') ?? '', /error="insufficient_scope"/);
  t.regex(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const op = await call('/operators-only', await issuer.sign({ sub: 'kc', realm_access: { roles: ['orderly-operator'] } }));
  t.is(op.status, 200);
});

test("when a customer asks for another customer's resource, then 404 as if it did not exist; their own and an operator's are 200", async (t) => {
  t.is((await call('/things/C2', await issuer.customer('C1'))).status, 404);
  t.is((await call('/things/C1', await issuer.customer('C1'))).status, 200);
  t.is((await call('/things/C2', await issuer.sign({ sub: 'op', realm_access: { roles: ['orderly-operator'] } }))).status, 200);
});

test('when a customer acts for another customer, then 403; for themselves the id is theirs', async (t) => {
  t.is((await call('/for/C2', await issuer.customer('C1'), { method: 'POST' })).status, 403);
  t.deepEqual(await (await call('/for/C1', await issuer.customer('C1'), { method: 'POST' })).json(), { customerId: 'C1' });
});

test('when the probes, metrics and the API description are asked for without a token, then they answer', async (t) => {
  for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json', '/docs']) {
    const res = await call(path);
    t.not(res.status, 401, path);
    t.is(res.headers.get('x-content-type-options'), 'nosniff', path);
  }
});
