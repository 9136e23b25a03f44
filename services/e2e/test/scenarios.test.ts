import test from 'ava';
import { customer, Stack } from '../src/index.js';

let stack: Stack;
test.before(async () => {
  stack = await (await Stack.create('scenarios')).start();
});
test.after.always(async () => {
  await stack?.dispose();
});

test('when an order for stock in hand is placed, then it is confirmed with its total and the customer is told', async (t) => {
  const before = await stack.product('TSHIRT-BLK-M');
  const placed = await stack.placeOrder({ ...customer(100), items: [{ sku: 'TSHIRT-BLK-M', qty: 2 }] });
  t.is(placed.status, 202);
  t.is(placed.body.status, 'PENDING');
  t.is(placed.headers.get('location'), `/orders/${placed.body.orderId}`);

  const order = await stack.orderReaches(placed.body.orderId, ['CONFIRMED', 'REJECTED']);
  t.is(order.status, 'CONFIRMED');
  t.is(order.totalCents, 2 * 1999);
  t.is(order.currency, 'EUR');

  const after = await stack.product('TSHIRT-BLK-M');
  t.is(after.available, before.available - 2);
  t.is(after.sold + after.reserved, before.sold + before.reserved + 2);
  const notes = await stack.http('notification', `/notifications?orderId=${order.orderId}`);
  t.is(notes.body.length, 1);
  t.is(notes.body[0].kind, 'order_confirmed');
});
