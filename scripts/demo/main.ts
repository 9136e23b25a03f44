/**
 * Walks through Orderly's scenarios and prints what a customer and the shop would see for each.
 * Against a running stack (`npm start` in another terminal) it runs in that stack's saga mode;
 * with nothing running it starts the stack itself, once per saga mode, and shows both.
 */
import type { SagaMode } from '@orderly/events';
import { stackRunning, startLocalStack } from '../local/local-stack.ts';
import { baseUrl } from '../local/services.ts';

interface Order {
  orderId: string;
  status: string;
  reason?: string;
  totalCents?: number;
}
interface Product {
  available: number;
  reserved: number;
  sold: number;
}

const url = (service: string, path: string) => `${baseUrl(service)}${path}`;
let failures = 0;

async function call(target: string, init: RequestInit & { json?: unknown } = {}) {
  const { json, ...rest } = init;
  const res = await fetch(target, {
    ...rest,
    headers: { 'content-type': 'application/json', ...(rest.headers ?? {}) },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const order = (id: string): Promise<Order> => call(url('order', `/orders/${id}`)).then((r) => r.body);
const reaches = (id: string, statuses: string[], timeoutMs?: number) =>
  until(
    () => order(id),
    (o) => statuses.includes(o.status),
    timeoutMs,
  );
const product = async (sku: string): Promise<Product> => (await call(url('inventory', `/products/${sku}`))).body;
const euros = (cents?: number) => (cents === undefined ? '' : `, total ${(cents / 100).toFixed(2)} EUR`);

function report(title: string, ok: boolean, detail: string) {
  if (!ok) failures += 1;
  console.log(`${ok ? '\x1b[32m✔' : '\x1b[31m✘'}\x1b[0m ${title}\n    ${detail}`);
}

async function place(items: { sku: string; qty: number }[], extra: object = {}, headers: Record<string, string> = {}) {
  return call(url('order', '/orders'), {
    method: 'POST',
    json: { customerId: 'C100', email: 'c100@example.com', items, ...extra },
    headers,
  });
}

async function outcome(title: string, items: { sku: string; qty: number }[], expect: Partial<Order>, extra: object = {}) {
  const placed = await place(items, extra);
  const result = await reaches(placed.body.orderId, ['CONFIRMED', 'REJECTED', 'CANCELLED', 'SHIPPED', 'DELIVERED']);
  const ok = Object.entries(expect).every(([k, v]) => result[k as keyof Order] === v);
  report(
    title,
    ok,
    `POST /orders → ${placed.status}; ${result.orderId} is ${result.status}${result.reason ? ` (${result.reason})` : ''}${euros(result.totalCents)}`,
  );
  return result;
}

async function walkThrough(mode: SagaMode) {
  console.log(`\n\x1b[1mSaga mode: ${mode}\x1b[0m\n`);
  await call(url('inventory', '/products/TSHIRT-GRY-S/stock'), { method: 'PUT', json: { available: 5 } });

  const ok = await outcome('An order for stock in hand is confirmed', [{ sku: 'TSHIRT-BLK-M', qty: 1 }], { status: 'CONFIRMED' });
  await outcome('999 grey T-shirts (5 in stock) are rejected', [{ sku: 'TSHIRT-GRY-S', qty: 999 }], {
    status: 'REJECTED',
    reason: 'out_of_stock',
  });
  await outcome('An unknown product is rejected', [{ sku: 'NO-SUCH-THING', qty: 1 }], { status: 'REJECTED', reason: 'unknown_product' });

  const before = await product('LAPTOP-123');
  await outcome(
    'A declined card rejects the order',
    [{ sku: 'LAPTOP-123', qty: 1 }],
    { status: 'REJECTED', reason: 'payment_declined' },
    {
      paymentMethod: 'pm_card_declined',
    },
  );
  const after = await until(
    () => product('LAPTOP-123'),
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

  const bad = await call(url('order', '/orders'), {
    method: 'POST',
    json: { customerId: '', email: 'nope', items: [{ sku: 'BOOK-ALICE', qty: 0 }] },
  });
  const fields = (bad.body['invalid-params'] ?? []).map((p: { name: string }) => p.name).join(', ');
  report('Bad input is a 400 problem naming each field', bad.status === 400, `${bad.status}: ${fields}`);

  // Fulfilment: the first order ships and arrives.
  const delivered = await reaches(ok.orderId, ['DELIVERED'], 20_000);
  const shipment = (await call(url('shipping', `/shipments?orderId=${ok.orderId}`))).body[0];
  report(
    'The confirmed order ships and is delivered',
    delivered.status === 'DELIVERED',
    `${ok.orderId} is ${delivered.status}; ${shipment?.carrier} ${shipment?.trackingNumber}: ${shipment?.history.map((h: { status: string }) => h.status).join(' → ')}`,
  );
  const told = await until(
    async () => (await call(url('notification', `/notifications?orderId=${ok.orderId}`))).body as { kind: string }[],
    (n) => n.length >= 3,
  );
  report('The customer was told at every step', told.length === 3, told.map((n) => n.kind).join(', '));

  // Cancellation before the parcel leaves: stock back, money back.
  const toCancel = await place([{ sku: 'BOOK-ALICE', qty: 1 }], { paymentMethod: 'pm_card_visa' });
  await reaches(toCancel.body.orderId, ['CONFIRMED']);
  const cancelled = await call(url('order', `/orders/${toCancel.body.orderId}/cancel`), { method: 'POST' });
  const refund = await until(
    async () => (await call(url('payment', `/payments?orderId=${toCancel.body.orderId}`))).body[0],
    (p) => p?.status === 'refunded',
  );
  report(
    'A confirmed order cancelled before shipping is refunded',
    cancelled.body?.status === 'CANCELLED' && refund?.status === 'refunded',
    `POST /orders/${toCancel.body.orderId}/cancel → ${cancelled.status} ${cancelled.body?.status}; payment ${refund?.status}`,
  );
  const late = await call(url('order', `/orders/${ok.orderId}/cancel`), { method: 'POST' });
  report('A delivered order cannot be cancelled', late.status === 409, `${late.status}: ${late.body?.detail}`);

  const history = (await call(url('customer', '/customers/C100/orders?limit=5'))).body as { orderId: string; status: string }[];
  report(
    'The customer sees their order history',
    history.length > 0,
    history.map((o) => `${o.orderId.slice(0, 8)} ${o.status}`).join(', '),
  );

  const timeline = (await call(url('audit', `/orders/${ok.orderId}/events`))).body as {
    type: string;
    source: string;
    sincePreviousMs: number | null;
  }[];
  report(
    'The audit log has the whole journey, in causal order',
    timeline[0]?.type === 'order.placed',
    timeline.map((e) => `${e.type}${e.sincePreviousMs === null ? '' : ` +${e.sincePreviousMs}ms`}`).join(' → '),
  );
}

if (await stackRunning()) {
  const { body } = await call(url('order', '/healthz'));
  await walkThrough(body.sagaMode ?? 'choreography');
} else {
  console.log('No stack is running: starting one per saga mode (needs `npm run build` and scripts/setup.sh, which `npm start` runs).');
  for (const mode of ['choreography', 'orchestration'] as const) {
    const stack = await startLocalStack({ env: { SAGA_MODE: mode } });
    try {
      await walkThrough(mode);
    } finally {
      await stack.stop();
    }
  }
}

console.log(failures === 0 ? '\nEvery scenario behaved as expected.' : `\n${failures} scenario(s) did not behave as expected.`);
process.exit(failures === 0 ? 0 : 1);
