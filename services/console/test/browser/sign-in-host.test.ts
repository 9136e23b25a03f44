import { randomBytes } from 'node:crypto';
import { definition as consoleService } from '@orderly/console';
import { type RunningService, startService } from '@orderly/platform';
import { createTestEnv, type TestEnv } from '@orderly/platform/testing';
import { freePort } from '@orderly/testkit';
import test from 'ava';
import type { Browser } from 'playwright-core';
import { launchChromium, submitLogin, viewport } from './browser.js';
import { type BrowserIdentity, startBrowserIdentity } from './identity.js';

/*
 * The console is reached under more than one name: CONSOLE_PUBLIC_URL says 127.0.0.1 (where a
 * port-forward listens) and the operator types localhost. Sign-in must work from either, in a
 * real browser, against the demo identity provider over real HTTP; and the sign-in request names
 * exactly the client, scope and resource the configuration gives.
 */
let env: TestEnv;
let identity: BrowserIdentity;
let browser: Browser;
const running: RunningService<unknown>[] = [];

test.before(async () => {
  env = await createTestEnv('console_sign_in_host');
  browser = await launchChromium();
});
test.after.always(async () => {
  await browser?.close();
  for (const r of running) await r.stop();
  await identity?.close();
  await env?.cleanup();
});

/** The console alone (no pipeline services: signing in needs none), at 127.0.0.1:<port>. */
async function startConsole(extra: Record<string, string> = {}): Promise<{ port: number; publicUrl: string }> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  identity ??= await startBrowserIdentity(publicUrl);
  const svc = (await startService(consoleService as never, {
    ...env.envFor('console'),
    ...identity.env,
    PORT: String(port),
    CONSOLE_PUBLIC_URL: publicUrl,
    CONSOLE_SESSION_SECRET: randomBytes(32).toString('base64url'),
    ...extra,
  })) as RunningService<unknown>;
  running.push(svc);
  return { port, publicUrl };
}

test.serial('when an operator opens the console as localhost while its public URL is 127.0.0.1, then signing in works', async (t) => {
  t.timeout(90_000);
  const { port, publicUrl } = await startConsole();
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await page.goto(`http://localhost:${port}/`);
  const callback = await submitLogin(page, 'ops', identity.passwordOf('ops'));
  t.is(callback.status(), 303, `the callback answered ${callback.status()}: ${await callback.text().catch(() => '')}`);
  t.is(new URL(callback.url()).origin, publicUrl);
  await page.waitForURL(`${publicUrl}/**`);
  t.not(await page.title(), 'Sign-in expired');
  const session = (await context.cookies(publicUrl)).find((c) => c.name === 'orderly-console');
  t.truthy(session, 'a session on the public URL');
  t.not((await page.request.get(`${publicUrl}/api/orders`)).status(), 401, 'the API knows the session');
  await context.close();
});

test.serial('the sign-in request names the configured client, scope and resource, and none when told so', async (t) => {
  const login = async (publicUrl: string) => {
    const res = await fetch(`${publicUrl}/auth/login`, { redirect: 'manual' });
    t.is(res.status, 303);
    return new URL(res.headers.get('location')!);
  };
  const byDefault = await login((await startConsole()).publicUrl);
  t.is(byDefault.origin, new URL(identity.issuer).origin);
  t.is(byDefault.searchParams.get('client_id'), 'orderly-web');
  t.is(byDefault.searchParams.get('scope'), 'openid email orderly');
  t.is(byDefault.searchParams.get('resource'), identity.env.AUTH_AUDIENCE!);

  const entraLike = await login(
    (
      await startConsole({
        CONSOLE_OIDC_CLIENT_ID: '11111111-2222-3333-4444-555555555555',
        CONSOLE_OIDC_SCOPE: 'openid api://orderly/Orderly.Console',
        CONSOLE_OIDC_RESOURCE: 'none',
      })
    ).publicUrl,
  );
  t.is(entraLike.searchParams.get('client_id'), '11111111-2222-3333-4444-555555555555');
  t.is(entraLike.searchParams.get('scope'), 'openid api://orderly/Orderly.Console');
  t.false(entraLike.searchParams.has('resource'));
});
