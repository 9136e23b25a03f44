import { waitFor } from '@orderly/platform/testing';
import { customer, Stack } from '@orderly/testkit';
import test from 'ava';

let stack: Stack;
test.before(async () => {
  stack = await Stack.create('saga_timeout', { SAGA_MODE: 'orchestration', SAGA_STEP_TIMEOUT_MS: '1000', SAGA_TIMEOUT_POLL_MS: '100' });
  // Payment is down: the charge step will get no reply.
  await stack.start(['order', 'inventory', 'notification', 'shipping', 'customer', 'audit']);
});
test.after.always(async () => {
  await stack?.dispose();
});

test('when a saga step gets no reply in time, then the orchestrator compensates and cancels, and a late participant keeps no money', async (t) => {
  const before = await stack.product('LAPTOP-123');
  const placed = await stack.placeOrder({ ...customer(500), items: [{ sku: 'LAPTOP-123', qty: 1 }] });
  const orderId = placed.body.orderId as string;
  t.is((await stack.orderReaches(orderId, ['RESERVED'])).status, 'RESERVED');

  const order = await stack.orderReaches(orderId, ['CANCELLED', 'CONFIRMED'], 10_000);
  t.is(order.status, 'CANCELLED');
  t.is(order.reason, 'saga_timeout');
  // The reserve step was compensated: the laptop is available again.
  const released = await waitFor(async () => {
    const p = await stack.product('LAPTOP-123');
    return p.available === before.available && p.reserved === before.reserved ? p : undefined;
  });
  t.is(released.sold, before.sold);
  const notes = await waitFor(async () => {
    const { body } = await stack.http('notification', `/notifications?orderId=${orderId}`);
    return body.length > 0 ? body : undefined;
  });
  t.is(notes[0].kind, 'order_cancelled');

  // Payment comes back and finds the charge and its compensation queued: nothing stays captured.
  await stack.start(['payment']);
  const payment = await waitFor(async () => {
    const { body } = await stack.http('payment', `/payments?orderId=${orderId}`);
    return body[0] && body[0].status !== 'captured' ? body[0] : undefined;
  });
  t.true(['refunded', 'voided'].includes(payment.status), payment.status);
  t.is((await stack.http('order', `/orders/${orderId}`)).body.status, 'CANCELLED', 'a late payment does not revive the order');
});
