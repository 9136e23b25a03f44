import { waitFor } from '@orderly/platform/testing';
import test from 'ava';
import { type ConsoleStack, startConsoleStack } from './console-stack.js';

/*
 * The X-ray in orchestration mode, through the console's API as the command line calls it (an
 * operator's bearer token): the orchestrator's saga row and the commands on the timeline.
 */

let stack: ConsoleStack;

test.before(async () => {
  stack = await startConsoleStack('console_xray_orch', { SAGA_MODE: 'orchestration' });
});

test.after.always(async () => {
  await stack?.dispose();
});

test('when the saga runs in orchestration, the X-ray shows its row and the commands between the hops', async (t) => {
  const placed = await stack.api.placeOrder({
    customerId: 'C100',
    email: 'c100@example.com',
    items: [{ sku: 'BOOK-ALICE', qty: 2 }],
    paymentMethod: 'pm_card_visa',
  });
  const orderId = placed.body.orderId as string;
  await stack.api.orderReaches(orderId, ['DELIVERED'], 30_000);
  const headers = { authorization: `Bearer ${await stack.identity.tokens.operatorToken()}` };
  type Xray = {
    order: { status: string };
    saga: { state: string; stepName: string | null } | null;
    timeline: { type: string; kind: string; source: string; sincePreviousMs: number | null }[];
    pendingOutbox: unknown[];
    deadLetters: unknown[];
    problems: string[];
  };
  // The last event is published at its commit and marked sent with the others of the next
  // OUTBOX_MARK_MS: until then the X-ray rightly lists it as not yet marked.
  const xray = await waitFor(
    async () => {
      const res = await stack.fetch(`/api/orders/${orderId}/xray`, { headers });
      t.is(res.status, 200);
      const x = (await res.json()) as Xray;
      return x.pendingOutbox.length === 0 ? x : undefined;
    },
    { timeoutMs: 5_000, what: 'the outbox rows marked sent' },
  );
  t.is(xray.order.status, 'DELIVERED');
  t.is(xray.saga?.state, 'completed');
  const commands = xray.timeline.filter((h) => h.kind === 'command').map((h) => h.type);
  t.deepEqual(commands.sort(), ['inventory.commit', 'inventory.reserve', 'payment.charge', 'shipping.create']);
  t.is(xray.timeline[0]?.type, 'order.placed');
  t.is(xray.timeline[0]?.sincePreviousMs, null);
  t.deepEqual(xray.pendingOutbox, []);
  t.deepEqual(xray.deadLetters, []);
  t.deepEqual(xray.problems, []);

  // An order nobody placed is a 404; a malformed id a 400 naming it; a customer's token a 403.
  t.is((await stack.fetch(`/api/orders/00000000-0000-4000-8000-000000000000/xray`, { headers })).status, 404);
  const bad = await stack.fetch(`/api/orders/not-an-id/xray`, { headers });
  t.is(bad.status, 400);
  t.regex(await bad.text(), /id: must be an order id/);
  const customer = { authorization: `Bearer ${await stack.identity.tokens.customerToken('C100')}` };
  t.is((await stack.fetch(`/api/orders/${orderId}/xray`, { headers: customer })).status, 403);
});
