/**
 * Walks through Orderly's scenarios against the running local stack (`npm start` in another
 * terminal) and prints what a customer and the shop would see for each.
 */
import { baseUrl } from './lib/services.ts';

interface Order {
  orderId: string;
  status: string;
  reason?: string;
  totalCents?: number;
}
interface Product {
  sku: string;
  available: number;
  reserved: number;
  sold: number;
}

const order = baseUrl('order');
const inventory = baseUrl('inventory');
const notification = baseUrl('notification');
let failures = 0;

async function call(url: string, init: RequestInit & { json?: unknown } = {}) {
  const { json, ...rest } = init;
  const res = await fetch(url, {
    ...rest,
    headers: { 'content-type': 'application/json', ...(rest.headers ?? {}) },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function decided(orderId: string, statuses = ['CONFIRMED', 'REJECTED', 'CANCELLED']): Promise<Order> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { body } = await call(`${order}/orders/${orderId}`);
    if (statuses.includes(body.status) || Date.now() > deadline) return body;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const product = async (sku: string): Promise<Product> => (await call(`${inventory}/products/${sku}`)).body;

function report(title: string, ok: boolean, detail: string) {
  if (!ok) failures += 1;
  console.log(`${ok ? '\x1b[32m✔' : '\x1b[31m✘'}\x1b[0m ${title}\n    ${detail}`);
}

async function scenario(title: string, items: { sku: string; qty: number }[], expect: Partial<Order>, extra: object = {}) {
  const placed = await call(`${order}/orders`, {
    method: 'POST',
    json: { customerId: 'C100', email: 'c100@example.com', items, ...extra },
  });
  const result = await decided(placed.body.orderId);
  const ok = Object.entries(expect).every(([k, v]) => result[k as keyof Order] === v);
  const total = result.totalCents === undefined ? '' : `, total ${(result.totalCents / 100).toFixed(2)} EUR`;
  report(
    title,
    ok,
    `POST /orders → ${placed.status}; ${result.orderId} is ${result.status}${result.reason ? ` (${result.reason})` : ''}${total}`,
  );
  return result;
}

try {
  await call(`${order}/healthz`);
} catch {
  console.error(`The order service does not answer at ${order}: start the stack with \`npm start\` first.`);
  process.exit(1);
}

console.log('Orderly demo\n');
const ok = await scenario('An order for stock in hand is confirmed', [{ sku: 'TSHIRT-BLK-M', qty: 1 }], { status: 'CONFIRMED' });
const notes = (await call(`${notification}/notifications?orderId=${ok.orderId}`)).body as { subject: string }[];
report('The customer is told', notes.length === 1, notes[0] ? `notification: "${notes[0].subject}"` : 'no notification yet');

await scenario('999 grey T-shirts (5 in stock) are rejected', [{ sku: 'TSHIRT-GRY-S', qty: 999 }], {
  status: 'REJECTED',
  reason: 'out_of_stock',
});
await scenario('An unknown product is rejected', [{ sku: 'NO-SUCH-THING', qty: 1 }], { status: 'REJECTED', reason: 'unknown_product' });

const before = await product('LAPTOP-123');
await scenario(
  'A declined card rejects the order',
  [{ sku: 'LAPTOP-123', qty: 1 }],
  { status: 'REJECTED', reason: 'payment_declined' },
  {
    paymentMethod: 'pm_card_declined',
  },
);
await new Promise((r) => setTimeout(r, 500));
const after = await product('LAPTOP-123');
report(
  '…and its reserved laptop is back on the shelf (compensation)',
  after.available === before.available && after.reserved === before.reserved,
  `LAPTOP-123 available ${before.available} → ${after.available}, reserved ${before.reserved} → ${after.reserved}`,
);

const key = `demo-${Date.now()}`;
const body = { customerId: 'C100', email: 'c100@example.com', items: [{ sku: 'BOOK-ALICE', qty: 1 }] };
const first = await call(`${order}/orders`, { method: 'POST', json: body, headers: { 'Idempotency-Key': key } });
const again = await call(`${order}/orders`, { method: 'POST', json: body, headers: { 'Idempotency-Key': key } });
report(
  'The same Idempotency-Key twice makes one order',
  first.body.orderId === again.body.orderId,
  `both answers name ${first.body.orderId}`,
);
const other = await call(`${order}/orders`, {
  method: 'POST',
  json: { ...body, items: [{ sku: 'BOOK-ALICE', qty: 2 }] },
  headers: { 'Idempotency-Key': key },
});
report('…and with another body it is refused', other.status === 409, `${other.status} ${other.body?.title}`);

const bad = await call(`${order}/orders`, {
  method: 'POST',
  json: { customerId: '', email: 'nope', items: [{ sku: 'BOOK-ALICE', qty: 0 }] },
});
report(
  'Bad input is a 400 problem naming each field',
  bad.status === 400,
  `${bad.status}: ${(bad.body['invalid-params'] ?? []).map((p: { name: string }) => p.name).join(', ')}`,
);

console.log(failures === 0 ? '\nEvery scenario behaved as expected.' : `\n${failures} scenario(s) did not behave as expected.`);
process.exit(failures === 0 ? 0 : 1);
