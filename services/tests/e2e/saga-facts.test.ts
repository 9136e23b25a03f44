import { newEnvelope } from '@orderly/events';
import { publishEnvelope, takeMessages } from '@orderly/platform/testing';
import { customer, Stack } from '@orderly/testkit';
import test from 'ava';

/**
 * The saga checks the facts it is told, against the real broker and database, with the order service alone
 * and the participants played by the test under their own broker users.
 */
let stack: Stack;
test.before(async () => {
  stack = await Stack.create('saga_facts', { RETRY_MAX_ATTEMPTS: '10' });
  await stack.start(['order']);
});
test.after.always(async () => {
  await stack?.dispose();
});

const reserved = (orderId: string, totalCents: number) =>
  newEnvelope('inventory', 'inventory.reserved', orderId, {
    orderId,
    lines: [{ sku: 'LAPTOP-123', qty: 1, unitPriceCents: totalCents }],
    totalCents,
    currency: 'EUR',
  });
const paid = (orderId: string, amountCents: number, currency = 'EUR') =>
  newEnvelope('payment', 'payment.completed', orderId, { orderId, paymentId: crypto.randomUUID(), amountCents, currency });

async function placed(): Promise<string> {
  const { status, body } = await stack.placeOrder({ ...customer(7), items: [{ sku: 'LAPTOP-123', qty: 1 }] });
  if (status !== 201 && status !== 202) throw new Error(`place order: ${status} ${JSON.stringify(body)}`);
  return body.orderId;
}

test("when audit forges payment.completed for a PENDING order (the issue's attack), then it is parked and the order stays PENDING", async (t) => {
  const orderId = await placed();
  const forged = { ...paid(orderId, 1), source: 'orderly/audit' };
  await publishEnvelope(stack.env, forged, {}, 'audit');
  const parked = await takeMessages(stack.env, 'order.dlq', 1);
  t.regex(String(parked[0]?.headers['x-orderly-error']), /produced by orderly\/payment, not orderly\/audit/);
  t.is((await stack.order(orderId))?.status, 'PENDING');
});

test('when a genuine payment arrives before the reservation, then CONFIRMED waits for RESERVED instead of skipping it', async (t) => {
  const orderId = await placed();
  await publishEnvelope(stack.env, paid(orderId, 129_900));
  await new Promise((r) => setTimeout(r, 300));
  t.is((await stack.order(orderId))?.status, 'PENDING', 'not CONFIRMED without RESERVED');
  await publishEnvelope(stack.env, reserved(orderId, 129_900));
  const order = await stack.orderReaches(orderId, ['CONFIRMED']);
  t.is(order.totalCents, 129_900);
});

test('when the payment is for another amount or currency than was reserved, then the order is cancelled (payment_mismatch), not confirmed', async (t) => {
  for (const [amount, currency] of [
    [1, 'EUR'],
    [129_900, 'USD'],
  ] as const) {
    const orderId = await placed();
    await publishEnvelope(stack.env, reserved(orderId, 129_900));
    await stack.orderReaches(orderId, ['RESERVED']);
    await publishEnvelope(stack.env, paid(orderId, amount, currency));
    const order = await stack.orderReaches(orderId, ['CONFIRMED', 'CANCELLED']);
    t.is(order.status, 'CANCELLED', `${amount} ${currency}`);
    t.is((order as { reason?: string }).reason, 'payment_mismatch');
  }
});

test('when the reserved total exceeds a 32-bit integer (50 lines × 1,000 × 1,299 €), then it is stored and the order confirms', async (t) => {
  const orderId = await placed();
  const total = 50 * 1000 * 129_900;
  await publishEnvelope(stack.env, reserved(orderId, total));
  await stack.orderReaches(orderId, ['RESERVED']);
  await publishEnvelope(stack.env, paid(orderId, total));
  t.is((await stack.orderReaches(orderId, ['CONFIRMED'])).totalCents, total);
});
