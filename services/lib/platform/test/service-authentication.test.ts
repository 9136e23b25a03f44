import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import test from 'ava';
import type { Middleware } from 'koa';
import { type Caller, callerOf, tokenVerifier } from '../src/http/auth.js';
import { createApp } from '../src/http/server.js';
import { Lifecycle } from '../src/lifecycle.js';
import { createLogger } from '../src/logger.js';
import { createMetrics } from '../src/metrics.js';
import { testIssuer } from '../src/testing/issuer.js';

/**
 * A service's own authentication (the console's session cookie and sign-in pages):
 * open paths of its own, an authenticator that falls back to the bearer check, and the other
 * services' default left as it was. Also per-path body limits (POST /admin/dry-run takes 256 KiB).
 */
const issuer = await testIssuer();
const verifier = tokenVerifier(issuer.auth);
const routes = new Router();
for (const path of ['/login', '/assets/app.js', '/assets/../whoami', '/loginx', '/whoami']) {
  routes.get(path, (ctx) => {
    ctx.body = { caller: ctx.state.caller ?? null };
  });
}
routes.get('/private', (ctx) => {
  ctx.body = callerOf(ctx);
});
routes.post('/echo', (ctx) => {
  ctx.body = { size: JSON.stringify((ctx.request as { body?: unknown }).body).length };
});
routes.post('/big', (ctx) => {
  ctx.body = { size: JSON.stringify((ctx.request as { body?: unknown }).body).length };
});

/** The console's shape: a session cookie makes an operator; anything else falls back to the bearer check. */
const cookieOrBearer =
  (bearer: Middleware): Middleware =>
  async (ctx, next) => {
    if (ctx.cookies.get('session') === 'good') {
      ctx.state.caller = { kind: 'operator', subject: 'ops@session' } satisfies Caller;
      return next();
    }
    if (ctx.cookies.get('session') === 'forgetful') return next();
    return bearer(ctx, next);
  };

const common = {
  logger: createLogger('test', 'silent'),
  metrics: createMetrics('test'),
  lifecycle: new Lifecycle(),
  routes,
  auth: verifier,
};
const listen = (app: ReturnType<typeof createApp>) => {
  const server = app.listen(0, '127.0.0.1');
  test.after.always(() => {
    server.close();
    server.closeAllConnections();
  });
  const port = () => (server.address() as AddressInfo).port;
  return Object.assign((path: string, init: RequestInit = {}) => fetch(`http://127.0.0.1:${port()}${path}`, init), {
    /** The path exactly as written: fetch would resolve its dot segments before sending. */
    raw: (path: string) =>
      new Promise<number>((resolve, reject) => {
        request({ host: '127.0.0.1', port: port(), path }, (res) => resolve(res.resume().statusCode ?? 0))
          .on('error', reject)
          .end();
      }),
  });
};
const own = listen(
  createApp({
    ...common,
    authentication: { openPaths: ['/login', '/assets/'], authenticate: cookieOrBearer },
    bodyLimits: { '/big': '256kb' },
    api: { title: 'test' },
  }),
);
const standard = listen(createApp(common));

test('when a service opens paths of its own, then anyone reaches them, and nothing else is opened', async (t) => {
  t.is((await own('/login')).status, 200);
  t.is((await own('/assets/app.js')).status, 200);
  t.is((await own('/loginx')).status, 401, 'an exact open path is not a prefix');
  t.is(await own.raw('/assets/app.js'), 200);
  t.is(await own.raw('/assets/../whoami'), 401, 'a dot segment does not climb out of an open prefix');
  t.is(await own.raw('/assets/%2E%2e/whoami'), 401);
  t.is((await own('/whoami')).status, 401);
  t.is((await standard('/login')).status, 401, 'another service opens nothing of the sort');
});

test('when a service authenticates with its own check, then its session is a caller, and a bearer token still works', async (t) => {
  const session = await own('/private', { headers: { cookie: 'session=good' } });
  t.is(session.status, 200);
  t.deepEqual(await session.json(), { kind: 'operator', subject: 'ops@session' });
  const bearer = await own('/private', { headers: { authorization: `Bearer ${await issuer.customer('C1')}` } });
  t.like(await bearer.json(), { kind: 'customer', customerId: 'C1' });
  const none = await own('/private', { headers: { cookie: 'session=bad' } });
  t.is(none.status, 401);
  t.regex(none.headers.get('www-authenticate') ?? '', /^Bearer /);
  t.is((await own('/private', { headers: { cookie: 'session=forgetful' } })).status, 401, 'through without a caller is not signed in');
  t.is((await standard('/private', { headers: { cookie: 'session=good' } })).status, 401, 'the default takes bearer tokens only');
});

test('when the API document is built, then a service’s open paths are marked as needing no token', async (t) => {
  const doc = (await (await own('/openapi.json')).json()) as { paths: Record<string, { get?: { security?: unknown[] } }> };
  t.deepEqual(doc.paths['/login']?.get?.security, []);
  t.deepEqual(doc.paths['/assets/app.js']?.get?.security, []);
  t.is(doc.paths['/whoami']?.get?.security, undefined);
});

test('when a path has a body limit of its own, then it takes bodies up to it while the others keep theirs', async (t) => {
  const token = await issuer.operator();
  const post = (path: string, size: number) =>
    own(path, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ pad: 'x'.repeat(size) }),
    });
  t.is((await post('/big', 200_000)).status, 200);
  t.is((await post('/big', 300_000)).status, 413);
  t.is((await post('/echo', 20_000)).status, 200);
  t.is((await post('/echo', 40_000)).status, 413);
});

test('when a service names "/" or a relative path as open, then it does not start', (t) => {
  t.throws(() => createApp({ ...common, authentication: { openPaths: ['/'] } }), { message: /open paths/ });
  t.throws(() => createApp({ ...common, authentication: { openPaths: ['login'] } }), { message: /open paths/ });
});
