import { waitFor } from '@orderly/platform/testing';
import test from 'ava';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, screenshot, signIn, viewport } from './browser.js';
import { type ConsoleStack, startConsoleStack } from './console-stack.js';
import { checkPageAnswers } from './page-contract.js';

/*
 * The console in a real browser (Debian's chromium, driven by playwright-core) against the real
 * stack: seven services, the demo identity provider and its login page, the console.
 *
 * The fault: a database administrator adds a limit on payment amounts to the payment service's
 * table (`CHECK (amount_cents <= 100000)`, as a hurried hotfix might). Every charge above 1,000.00
 * then fails on each attempt and is parked in payment.dlq; nothing else changes. Removing the
 * constraint is the fix. No test-only switch is involved: any operator could cause and cure it.
 */

let stack: ConsoleStack;
let browser: Browser;

test.before(async () => {
  stack = await startConsoleStack('console_browser');
  browser = await launchChromium();
});

test.after.always(async () => {
  await browser?.close();
  await stack?.dispose();
});

/**
 * A browser page whose script errors, policy violations and failed requests are collected, and
 * whose every answer from the console is checked against the console's OpenAPI document.
 */
async function newPage(): Promise<{ context: BrowserContext; page: Page; errors: string[]; undocumented: () => Promise<string[]> }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  // A policy violation (an inline script, a foreign origin), a script error or a failed request shows up here.
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, errors, undocumented: checkPageAnswers(page, stack.consoleUrl, stack.contract) };
}

const sessionCookie = (context: BrowserContext) =>
  context.cookies(stack.consoleUrl).then((all) => all.find((c) => c.name === 'orderly-console'));

async function placeOrder(sku: string, { customerId = 'C100', paymentMethod = 'pm_card_visa' } = {}): Promise<string> {
  const res = await stack.api.placeOrder({ customerId, email: 'c100@example.com', items: [{ sku, qty: 1 }], paymentMethod });
  if (res.status !== 202) throw new Error(`placing an order: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.orderId as string;
}

test.serial('a customer who signs in is refused: an "operators only" page, no session, and the API stays closed', async (t) => {
  const { context, page, undocumented } = await newPage();
  const callback = await signIn(page, stack.consoleUrl, 'C100', stack.identity.passwordOf('C100'));
  t.is(callback.status(), 403);
  await page.getByRole('heading', { name: 'Operators only' }).waitFor();
  t.is(await sessionCookie(context), undefined);
  t.is((await page.request.get(`${stack.consoleUrl}/api/orders`)).status(), 401);
  // Opening the console again (the provider remembers the customer) ends at the same refusal.
  const again = await page.goto(stack.consoleUrl);
  t.is(again?.status(), 403);
  t.is(await sessionCookie(context), undefined);
  t.deepEqual(await undocumented(), [], "every answer of the console's is in its OpenAPI document");
  await context.close();
});

test.serial('an operator sees a new order appear live, X-rays it, repairs the parked payments and sees the orders complete', async (t) => {
  t.timeout(240_000);
  const { context, page, errors, undocumented } = await newPage();
  const callback = await signIn(page, stack.consoleUrl, 'ops', stack.identity.passwordOf('ops'));
  t.is(callback.status(), 303);
  const cookie = await sessionCookie(context);
  t.truthy(cookie);
  t.true(cookie!.httpOnly);
  t.is(cookie!.sameSite, 'Lax');
  await page.locator('[data-live="live"]').waitFor();
  await page.evaluate(() => Object.assign(globalThis, { sameDocument: true }));

  // Live: the order appears and moves on without a reload.
  const orderId = await placeOrder('TSHIRT-BLK-M');
  const row = page.locator(`#orders tr[data-order="${orderId}"]`);
  await row.waitFor({ timeout: 15_000 });
  await row.locator('[data-status="DELIVERED"]').waitFor({ timeout: 30_000 });
  t.true(await page.evaluate(() => (globalThis as { sameDocument?: boolean }).sameDocument === true), 'no reload happened');
  // A few more outcomes, so the counts and the list show more than one kind.
  await placeOrder('BOOK-ALICE', { customerId: 'C200', paymentMethod: 'pm_card_declined' });
  await placeOrder('TSHIRT-GRY-S', { customerId: 'C200' });
  await page.locator('#orders tr [data-status="REJECTED"]').first().waitFor({ timeout: 15_000 });
  await page.locator('[data-count="DELIVERED"]', { hasText: /^[1-9]/ }).waitFor({ timeout: 15_000 });
  // The counts follow the live changes too (within a second), not only the first load.
  await page.locator('[data-count="REJECTED"]', { hasText: /^[1-9]/ }).waitFor({ timeout: 15_000 });
  await screenshot(page, 'orders');

  // The X-ray: the timeline from audit, hop by hop.
  await row.getByRole('link').click();
  await page.locator('#timeline tr[data-type="order.delivered"]').waitFor({ timeout: 15_000 });
  for (const type of ['order.placed', 'inventory.reserved', 'payment.completed', 'shipment.dispatched']) {
    t.is(await page.locator(`#timeline tr[data-type="${type}"]`).count(), 1, type);
  }
  t.regex((await page.locator('#order').textContent()) ?? '', /DELIVERED/);
  await screenshot(page, 'xray');

  // The fault: charges above 1,000.00 now fail in the payment service's database.
  await stack.admin.query('ALTER TABLE payment.payments ADD CONSTRAINT payments_amount_limit CHECK (amount_cents <= 100000) NOT VALID');
  const laptops = [await placeOrder('LAPTOP-123'), await placeOrder('LAPTOP-123'), await placeOrder('LAPTOP-123')];

  // Found by filter on the dead-letters page once parked.
  await page.getByRole('link', { name: 'Dead letters' }).click();
  await page.getByLabel('Queue').fill('payment');
  await page.getByLabel('Error text').fill('payments_amount_limit');
  const parkedRows = page.locator('#dead-letters tbody tr');
  await waitFor(
    async () => {
      await page.locator('#search').click();
      await page.waitForTimeout(300);
      return (await parkedRows.count()) === 3 ? true : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500, what: 'three parked payments in the list' },
  );
  t.regex((await parkedRows.first().textContent()) ?? '', /inventory\.reserved[\s\S]*payments_amount_limit/);
  await screenshot(page, 'dead-letters');

  // The stuck orders: the three laptops, each with its parked message.
  await page.getByRole('link', { name: 'Stuck' }).click();
  await page.getByLabel('Unchanged for at least (seconds)').fill('1');
  await page.getByRole('button', { name: /Unchanged for/ }).click();
  for (const id of laptops) await page.locator(`#stuck tr[data-order="${id}"]`, { hasText: 'payment' }).waitFor({ timeout: 15_000 });
  await screenshot(page, 'stuck');

  // Dry run of one while the fault is there: it still fails, and nothing changes.
  await page.getByRole('link', { name: 'Dead letters' }).click();
  await page.getByLabel('Queue').fill('payment');
  await page.locator('#search').click();
  await parkedRows.first().getByRole('link', { name: 'inventory.reserved' }).click();
  await page.getByRole('button', { name: 'Dry run' }).click();
  const dryRun = page.locator('#dry-run');
  await dryRun.waitFor();
  t.is(await dryRun.getAttribute('data-outcome'), 'would-fail');
  t.regex((await dryRun.textContent()) ?? '', /still fails: .*payments_amount_limit/);
  // What the consumer would then do: a constraint violation is not permanent, so it would be retried.
  t.regex((await page.locator('#dry-run-next').textContent()) ?? '', /would be retried with back-off/);

  // The fix, then the same dry run: it would now succeed and say what it would emit.
  await stack.admin.query('ALTER TABLE payment.payments DROP CONSTRAINT payments_amount_limit');
  await page.getByRole('button', { name: 'Dry run' }).click();
  await page.locator('#dry-run[data-outcome="would-succeed"]').waitFor({ timeout: 10_000 });
  t.regex((await dryRun.textContent()) ?? '', /would succeed and emit payment\.completed/);
  await screenshot(page, 'dead-letter');

  // Redrive all matching the search; the orders then complete, live on the orders page.
  await page.getByRole('link', { name: 'Dead letters' }).click();
  await page.getByLabel('Queue').fill('payment');
  await page.getByLabel('Error text').fill('payments_amount_limit');
  await page.locator('#search').click();
  await waitFor(async () => ((await parkedRows.count()) === 3 ? true : undefined), { what: 'the three parked payments' });
  await page.locator('#redrive').click();
  await page.locator('#action-outcome', { hasText: '3 redriven' }).waitFor({ timeout: 30_000 });
  await page.getByRole('link', { name: 'Orders' }).click();
  for (const id of laptops) {
    await stack.api.orderReaches(id, ['DELIVERED'], 60_000);
    await page.locator(`#orders tr[data-order="${id}"] [data-status="DELIVERED"]`).waitFor({ timeout: 10_000 });
  }

  // The operator's action is on the order's timeline.
  await page.locator(`#orders tr[data-order="${laptops[0]}"]`).getByRole('link').click();
  await page.locator('#timeline tr[data-type="deadletter.redriven"]').waitFor({ timeout: 15_000 });
  t.is(await page.locator('#dead-letters-of-order tr[data-dead-letter]').count(), 1);
  t.deepEqual(errors, [], 'no script error, policy violation or failed request on any page');
  t.deepEqual(await undocumented(), [], "every answer of the console's is in its OpenAPI document");
  await context.close();
});

/** How often the order service's list has been asked for (its own request counter). */
async function orderListRequests(): Promise<number> {
  const text = await (await stack.contract.fetch(stack.api.url('order', '/metrics'))).text();
  return text
    .split('\n')
    .filter(
      (l) => l.startsWith('http_server_request_duration_seconds_count{') && l.includes('method="GET"') && l.includes('route="/orders"'),
    )
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}

test.serial(
  'only operators get in; POSTs on a session come from the console; pages carry a strict CSP; text stays text; the live list is quiet when nobody watches',
  async (t) => {
    t.timeout(120_000);
    const url = stack.consoleUrl;
    const anonymous = await stack.fetch(`/`, { redirect: 'manual' });
    t.is(anonymous.status, 303);
    t.is(anonymous.headers.get('location'), '/auth/login');
    t.is((await stack.fetch(`/api/orders`)).status, 401);
    const customer = { authorization: `Bearer ${await stack.identity.tokens.customerToken('C100')}` };
    t.is((await stack.fetch(`/api/orders`, { headers: customer })).status, 403);
    // The command line's way in: an operator's bearer token.
    const operator = { authorization: `Bearer ${await stack.identity.tokens.operatorToken()}` };
    t.is((await stack.fetch(`/api/orders`, { headers: operator })).status, 200);

    // A customer id made to run script is shown as text.
    const hostile = '<img src=x onerror="globalThis.pwned=1">';
    const placed = await stack.api.placeOrder({ customerId: hostile, email: 'c100@example.com', items: [{ sku: 'BOOK-ALICE', qty: 1 }] });
    t.is(placed.status, 202);

    const { context, page, errors, undocumented } = await newPage();
    await signIn(page, url, 'ops', stack.identity.passwordOf('ops'));
    await page.locator(`#orders tr[data-order="${placed.body.orderId}"]`, { hasText: hostile }).waitFor();
    t.is(await page.evaluate(() => (globalThis as { pwned?: number }).pwned), undefined);
    const shell = await page.request.get(`${url}/`);
    const csp = shell.headers()['content-security-policy'] ?? '';
    t.regex(csp, /script-src 'self' 'sha256-[A-Za-z0-9+/=]+'(;|$)/);
    t.notRegex(csp, /unsafe/);
    t.regex(csp, /frame-ancestors 'none'/);

    // CSRF: the session cookie alone does not make a POST from another site acceptable.
    const cookie = `orderly-console=${(await sessionCookie(context))!.value}`;
    const post = (origin: string) =>
      stack.fetch(`/api/dead-letters/discard`, {
        method: 'POST',
        headers: { cookie, origin, 'content-type': 'application/json' },
        body: JSON.stringify({ ids: ['00000000-0000-4000-8000-000000000000'], reason: 'csrf check' }),
      });
    t.is((await post('http://evil.example')).status, 403);
    t.is((await post(url)).status, 200);

    // While the page listens the order service is asked every second; once it is closed, never.
    await page.locator('[data-live="live"]').waitFor();
    const watching = await orderListRequests();
    await page.waitForTimeout(3000);
    t.true((await orderListRequests()) - watching >= 2);
    t.deepEqual(errors, [], 'no script error, policy violation or failed request');
    t.deepEqual(await undocumented(), [], "every answer of the console's is in its OpenAPI document");
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Signed out' }).waitFor();
    t.is((await stack.fetch(`/api/session`, { headers: { cookie } })).status, 401, 'the session ended with the sign-out');
    await context.close();
    await new Promise((r) => setTimeout(r, 1500));
    const idle = await orderListRequests();
    await new Promise((r) => setTimeout(r, 3000));
    t.is(await orderListRequests(), idle);
  },
);
