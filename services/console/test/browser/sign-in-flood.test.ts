import { randomBytes } from 'node:crypto';
import { definition as consoleService } from '@orderly/console';
import { type RunningService, startService } from '@orderly/platform';
import { createTestEnv, type TestEnv } from '@orderly/platform/testing';
import { freePort } from '@orderly/testkit';
import test, { type ExecutionContext } from 'ava';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, submitLogin, viewport } from './browser.js';
import { type BrowserIdentity, startBrowserIdentity } from './identity.js';

/*
 * Anonymous traffic must not end an operator's sign-in in progress. With the
 * console keeping sign-ins under way in a shared, capped list, 10,000 anonymous /auth/login pushed
 * the operator's out of it; with the demo provider keeping interactions in one LRU, 2,200
 * anonymous authorization requests did the same there. Each test starts an operator's sign-in in
 * a real browser, floods over plain HTTP (from the same address, as on a shared port-forward), and
 * then finishes the sign-in.
 */
let env: TestEnv;
let identity: BrowserIdentity;
let browser: Browser;
let svc: RunningService<unknown> | undefined;
let publicUrl: string;

test.before(async () => {
  env = await createTestEnv('console_sign_in_flood');
  browser = await launchChromium();
  const port = await freePort();
  publicUrl = `http://127.0.0.1:${port}`;
  identity = await startBrowserIdentity(publicUrl);
  svc = (await startService(consoleService as never, {
    ...env.envFor('console'),
    ...identity.env,
    PORT: String(port),
    CONSOLE_PUBLIC_URL: publicUrl,
    CONSOLE_SESSION_SECRET: randomBytes(32).toString('base64url'),
  })) as RunningService<unknown>;
});
test.after.always(async () => {
  await browser?.close();
  await svc?.stop();
  await identity?.close();
  await env?.cleanup();
});

/** `count` GETs of `url`, `concurrency` at a time, redirects not followed: how many got each status. */
async function flood(url: string, count: number, concurrency = 32): Promise<Record<number, number>> {
  const statuses: Record<number, number> = {};
  let sent = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (sent < count) {
        sent++;
        const res = await fetch(url, { redirect: 'manual' });
        await res.body?.cancel();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      }
    }),
  );
  return statuses;
}

/** Opens the console in a new browser: it sends the operator to the provider's login page. */
async function startSignIn(): Promise<Page> {
  const page = await (await browser.newContext({ viewport })).newPage();
  await page.goto(publicUrl);
  await page.getByLabel('Account').waitFor();
  return page;
}

/** Types ops's password on the login page it is at and comes back: the callback's answer, and the session is usable. */
async function finishSignIn(t: ExecutionContext, page: Page): Promise<void> {
  const callback = await submitLogin(page, 'ops', identity.passwordOf('ops'));
  t.is(callback.status(), 303, `the callback answered ${callback.status()}: ${await callback.text().catch(() => '')}`);
  t.truthy(
    (await page.context().cookies(publicUrl)).find((c) => c.name === 'orderly-console'),
    'a session',
  );
  t.not((await page.request.get(`${publicUrl}/api/dead-letters`)).status(), 401, 'the API knows the session');
  await page.context().close();
}

test.serial('when 10,000 anonymous /auth/login arrive while an operator signs in, then the operator still signs in', async (t) => {
  t.timeout(180_000);
  const page = await startSignIn();
  const started = Date.now();
  const statuses = await flood(`${publicUrl}/auth/login`, 10_000);
  t.log(`10,000 anonymous /auth/login in ${Date.now() - started} ms`);
  t.deepEqual(statuses, { 303: 10_000 }, 'each anonymous sign-in is started (and costs the console nothing)');
  await finishSignIn(t, page);
});

test.serial(
  'when 3,000 anonymous authorization requests reach the provider while an operator signs in, then the operator still signs in',
  async (t) => {
    t.timeout(180_000);
    const page = await startSignIn();
    const authorize = (await fetch(`${publicUrl}/auth/login`, { redirect: 'manual' })).headers.get('location')!;
    t.is(new URL(authorize).origin, new URL(identity.issuer).origin);
    const statuses = await flood(authorize, 3_000);
    t.log(`3,000 authorization requests: ${JSON.stringify(statuses)}`);
    await finishSignIn(t, page);
    t.true((statuses[429] ?? 0) >= 2_900, `past the per-address limit the flood is refused: ${JSON.stringify(statuses)}`);
  },
);
