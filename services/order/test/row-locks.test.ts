import type { Message } from '@orderly/platform';
import { cleanupList } from '@orderly/platform/testing';
import test from 'ava';
import { participantOutcomes } from '../src/handlers/participant-outcomes.js';
import { cancelOrder } from '../src/use-cases/cancel-order.js';
import { type OrderUnderTest, paid, reserved, startOrder } from './helpers.js';
import { depsOn, recorded } from './recording-pool.js';

/**
 * How often a message or a cancel goes to the order row: the statements on `orders` it sends, on
 * the real database, seen on their way through the pool (the statement tally of decision 0020
 * counts the same calls, per span).
 */
const cleanups = cleanupList();
let o: OrderUnderTest;
test.before(async () => {
  o = await startOrder('row_locks', cleanups);
});
test.after.always(() => cleanups.run());

const onOrders = (statements: string[]) =>
  statements
    .filter((s) => /\b(FROM|UPDATE)\s+orders\b/.test(s))
    .map((s) => (/^\s*UPDATE/.test(s) ? 'UPDATE' : /FOR UPDATE/.test(s) ? 'SELECT FOR UPDATE' : 'SELECT'));

async function reservedOrder(customer: string): Promise<string> {
  const orderId = await o.place(customer);
  const handlers = participantOutcomes(depsOn(o.service.db));
  await o.service.db.transaction((tx) => handlers['inventory.reserved']!(reserved(orderId) as Message<'inventory.reserved'>, tx));
  return orderId;
}

for (const [what, amount, status] of [
  ['confirms an order', 1299, 'CONFIRMED'],
  ['is for another amount', 1, 'CANCELLED'],
] as const) {
  test(`when a payment ${what}, then the order row is locked once and written once`, async (t) => {
    const orderId = await reservedOrder('C9');
    const { db, statements } = recorded(o.service.db.pool);
    const handlers = participantOutcomes(depsOn(db));
    await db.transaction((tx) => handlers['payment.completed']!(paid(orderId, amount) as Message<'payment.completed'>, tx));
    t.deepEqual(onOrders(statements), ['SELECT FOR UPDATE', 'UPDATE']);
    t.is((await o.ops(`/orders/${orderId}`)).body.status, status);
  });
}

test('when a customer cancels, then the order row is read once (locked) and written once, and the answer is what was written', async (t) => {
  const orderId = await reservedOrder('C9');
  const { db, statements } = recorded(o.service.db.pool);
  const cancelled = await cancelOrder(depsOn(db), orderId, { customerId: 'C9' });
  t.like(cancelled, { outcome: 'cancelled', order: { orderId, status: 'CANCELLED', reason: 'customer_request', totalCents: 1299 } });
  t.deepEqual(onOrders(statements), ['SELECT FOR UPDATE', 'UPDATE']);
  const stored = (await o.ops(`/orders/${orderId}`)).body;
  t.deepEqual(
    JSON.parse(JSON.stringify(cancelled.outcome === 'cancelled' ? cancelled.order : {})),
    stored,
    'what was written, to the microsecond',
  );

  statements.length = 0;
  t.like(await cancelOrder(depsOn(db), orderId), { outcome: 'cancelled', order: { status: 'CANCELLED' } }, 'cancelling twice is harmless');
  t.deepEqual(onOrders(statements), ['SELECT FOR UPDATE'], 'and reads the row once');
});
