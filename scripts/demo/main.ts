/**
 * Walks through Orderly's scenarios and prints what a customer and the shop would see for each.
 * Against a running stack (`npm start` in another terminal) it runs in that stack's saga mode;
 * with nothing running it starts the stack itself, once per saga mode, and shows both.
 */
import type { SagaMode } from '@orderly/events';
import type { TokenIssuer } from '@orderly/identity/client';
import { ApiClient, catalogue, type OrderView, type OutcomeScenario, outcomeMatches, outcomeScenarios } from '@orderly/testkit';
import { localTokens } from '../local/identity.ts';
import { stackRunning, startLocalStack } from '../local/local-stack.ts';
import { baseUrl } from '../local/services.ts';

// Tokens from the local demo provider: the shop's operator (client credentials) and the customer
// C100, signed in as a browser would (authorization code + PKCE). The customer's id and email come
// from the token, so the order bodies below name neither.
// Looked up once the stack runs (its provider records where it is), again for each stack started here.
let tokens: Promise<TokenIssuer> | undefined;
const local = () => {
  tokens ??= localTokens();
  return tokens;
};
const api = new ApiClient(baseUrl, async () => (await local()).operatorToken());
const c100 = api.as(async () => (await local()).customerToken('C100'));
const c200 = api.as(async () => (await local()).customerToken('C200'));
let failures = 0;

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const euros = (cents?: number) => (cents === undefined ? '' : `, total ${(cents / 100).toFixed(2)} EUR`);

function report(title: string, ok: boolean, detail: string) {
  if (!ok) failures += 1;
  console.log(`${ok ? '\x1b[32m✔' : '\x1b[31m✘'}\x1b[0m ${title}\n    ${detail}`);
}

const place = (items: { sku: string; qty: number }[], extra: object = {}, headers: Record<string, string> = {}) =>
  c100.placeOrder({ items, ...extra }, headers);

async function outcome(s: OutcomeScenario): Promise<OrderView> {
  const placed = await place(s.items, s.paymentMethod ? { paymentMethod: s.paymentMethod } : {});
  const result = await c100.orderReaches(placed.body.orderId, ['CONFIRMED', 'REJECTED', 'CANCELLED', 'SHIPPED', 'DELIVERED'], 15_000);
  report(
    s.title,
    outcomeMatches(s, result),
    `POST /orders → ${placed.status}; ${result.orderId} is ${result.status}${result.reason ? ` (${result.reason})` : ''}${euros(result.totalCents)}`,
  );
  return result;
}

async function walkThrough(mode: SagaMode) {
  console.log(`\n\x1b[1mSaga mode: ${mode}\x1b[0m\n`);
  await api.setStock(catalogue.scarce, 5);

  const ok = await outcome(outcomeScenarios.confirmed);
  await outcome(outcomeScenarios.outOfStock);
  await outcome(outcomeScenarios.unknownProduct);

  const before = await api.product(catalogue.laptop);
  await outcome(outcomeScenarios.declined);
  const after = await until(
    () => api.product(catalogue.laptop),
    (p) => p.reserved === before.reserved,
  );
  report(
    '…and its reserved laptop is back on the shelf (compensation)',
    after.available === before.available && after.reserved === before.reserved,
    `LAPTOP-123 available ${before.available} → ${after.available}, reserved ${before.reserved} → ${after.reserved}`,
  );

  const key = `demo-${mode}-${Date.now()}`;
  const body = [{ sku: 'BOOK-ALICE', qty: 1 }];
  const first = await place(body, {}, { 'Idempotency-Key': key });
  const again = await place(body, {}, { 'Idempotency-Key': key });
  report(
    'The same Idempotency-Key twice makes one order',
    first.body.orderId === again.body.orderId,
    `both answers name ${first.body.orderId}`,
  );
  const other = await place([{ sku: 'BOOK-ALICE', qty: 2 }], {}, { 'Idempotency-Key': key });
  report('…and with another body it is refused', other.status === 409, `${other.status} ${other.body?.title}`);

  // An operator names the customer: here badly.
  const bad = await api.placeOrder({ customerId: '', email: 'nope', items: [{ sku: 'BOOK-ALICE', qty: 0 }] });
  const fields = (bad.body['invalid-params'] ?? []).map((p: { name: string }) => p.name).join(', ');
  report('Bad input is a 400 problem naming each field', bad.status === 400, `${bad.status}: ${fields}`);

  // Fulfilment: the first order ships and arrives.
  const delivered = await c100.orderReaches(ok.orderId, ['DELIVERED'], 20_000);
  const shipment = (await c100.http('shipping', `/shipments?orderId=${ok.orderId}`)).body[0];
  report(
    'The confirmed order ships and is delivered',
    delivered.status === 'DELIVERED',
    `${ok.orderId} is ${delivered.status}; ${shipment?.carrier} ${shipment?.trackingNumber}: ${shipment?.history.map((h: { status: string }) => h.status).join(' → ')}`,
  );
  const told = await until(
    async () => (await c100.http('notification', `/notifications?orderId=${ok.orderId}`)).body as { kind: string }[],
    (n) => n.length >= 3,
  );
  report('The customer was told at every step', told.length === 3, told.map((n) => n.kind).join(', '));

  // Cancellation before the parcel leaves: stock back, money back.
  const toCancel = await place([{ sku: 'BOOK-ALICE', qty: 1 }], { paymentMethod: 'pm_card_visa' });
  await c100.orderReaches(toCancel.body.orderId, ['CONFIRMED'], 15_000);
  const cancelled = await c100.cancel(toCancel.body.orderId);
  const refund = await until(
    async () => (await api.http('payment', `/payments?orderId=${toCancel.body.orderId}`)).body[0],
    (p) => p?.status === 'refunded',
  );
  report(
    'A confirmed order cancelled before shipping is refunded',
    cancelled.body?.status === 'CANCELLED' && refund?.status === 'refunded',
    `POST /orders/${toCancel.body.orderId}/cancel → ${cancelled.status} ${cancelled.body?.status}; payment ${refund?.status}`,
  );
  const late = await c100.cancel(ok.orderId);
  report('A delivered order cannot be cancelled', late.status === 409, `${late.status}: ${late.body?.detail}`);

  const history = (await c100.http('customer', '/customers/C100/orders?limit=5')).body as { orderId: string; status: string }[];
  report(
    'The customer sees their order history',
    history.length > 0,
    history.map((o) => `${o.orderId.slice(0, 8)} ${o.status}`).join(', '),
  );

  const timeline = (await api.http('audit', `/orders/${ok.orderId}/events`)).body as {
    type: string;
    source: string;
    sincePreviousMs: number | null;
  }[];
  report(
    'The audit log has the whole journey, in causal order',
    timeline[0]?.type === 'order.placed',
    timeline.map((e) => `${e.type}${e.sincePreviousMs === null ? '' : ` +${e.sincePreviousMs}ms`}`).join(' → '),
  );

  // Who may do what (docs/security.md).
  const anonymous = await api.as(undefined).http('order', `/orders/${ok.orderId}`);
  report(
    'Without a token the API answers 401',
    anonymous.status === 401,
    `${anonymous.status}, WWW-Authenticate: ${anonymous.headers.get('www-authenticate')}`,
  );
  const snooping = await c200.http('order', `/orders/${ok.orderId}`);
  report("Another customer's order does not exist for C200", snooping.status === 404, `GET as C200 → ${snooping.status}`);
  const posing = await c200.placeOrder({ customerId: 'C100', items: [{ sku: 'BOOK-ALICE', qty: 1 }] });
  report("C200 cannot order in C100's name", posing.status === 403, `POST /orders naming C100 as C200 → ${posing.status}`);
  const restock = await c100.http('inventory', `/products/${catalogue.book}/stock`, { method: 'PUT', json: { available: 0 } });
  report('A customer cannot set stock (operators only)', restock.status === 403, `PUT /products/…/stock as C100 → ${restock.status}`);
}

/** A scenario that never settles is a failure to report, not a crash. */
async function walkThroughReporting(mode: SagaMode) {
  try {
    await walkThrough(mode);
  } catch (err) {
    report(`The walk-through in ${mode} mode stopped`, false, (err as Error).message);
  }
}

if (await stackRunning()) {
  const { body } = await api.http('order', '/healthz');
  await walkThroughReporting(body.sagaMode ?? 'choreography');
} else {
  console.log('No stack is running: starting one per saga mode (needs `npm run build` and scripts/setup.sh, which `npm start` runs).');
  for (const mode of ['choreography', 'orchestration'] as const) {
    const stack = await startLocalStack({ env: { SAGA_MODE: mode } });
    tokens = undefined;
    try {
      await walkThroughReporting(mode);
    } finally {
      await stack.stop();
    }
  }
}

console.log(failures === 0 ? '\nEvery scenario behaved as expected.' : `\n${failures} scenario(s) did not behave as expected.`);
process.exit(failures === 0 ? 0 : 1);
