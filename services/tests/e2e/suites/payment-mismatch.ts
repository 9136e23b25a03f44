import { newEnvelope, type SagaMode } from '@orderly/events';
import { publishEnvelope, waitFor } from '@orderly/platform/testing';
import { customer, Stack } from '@orderly/testkit';
import test from 'ava';

/**
 * A payment for another amount than was reserved cancels the order, and what
 * everyone downstream hears says why: `order.cancelled` with reason `payment_mismatch`, and the
 * customer reads the mismatch, not "you asked us to". Every service runs but payment, which the
 * test plays (as its own broker user), since a genuine payment service charges what was reserved.
 * Registered once per saga mode.
 */
export function paymentMismatch(mode: SagaMode): void {
  let stack: Stack;
  test.before(async () => {
    stack = await (await Stack.create(`mismatch_${mode}`, { SAGA_MODE: mode })).start([
      'order',
      'inventory',
      'notification',
      'shipping',
      'customer',
      'audit',
    ]);
  });
  test.after.always(async () => {
    await stack?.dispose();
  });

  const timeline = (orderId: string, until: (types: string[]) => boolean) =>
    waitFor(
      async () => {
        const { status, body } = await stack.http('audit', `/orders/${orderId}/events`);
        return status === 200 && until(body.map((e: { type: string }) => e.type))
          ? (body as { type: string; data: Record<string, unknown> }[])
          : undefined;
      },
      { what: `the audit log of order ${orderId}` },
    );

  test('when the payment is for another amount than was reserved, then order.cancelled says payment_mismatch, the customer reads why, and the stock is back', async (t) => {
    const before = await stack.product('LAPTOP-123');
    const placed = await stack.placeOrder({ ...customer(600), items: [{ sku: 'LAPTOP-123', qty: 1 }] });
    t.is(placed.status, 202);
    const orderId = placed.body.orderId as string;
    const reserved = await stack.orderReaches(orderId, ['RESERVED']);
    t.is(reserved.totalCents, 129_900);

    await publishEnvelope(
      stack.env,
      newEnvelope('payment', 'payment.completed', orderId, { orderId, paymentId: crypto.randomUUID(), amountCents: 1, currency: 'EUR' }),
    );
    const order = await stack.orderReaches(orderId, ['CONFIRMED', 'CANCELLED']);
    t.is(order.status, 'CANCELLED');
    t.is(order.reason, 'payment_mismatch');

    const events = await timeline(orderId, (types) => types.includes('order.cancelled') && types.includes('inventory.released'));
    const cancelled = events.filter((e) => e.type === 'order.cancelled');
    t.is(cancelled.length, 1, 'one order.cancelled');
    t.like(cancelled[0]!.data, { orderId, customerId: 'C600', reason: 'payment_mismatch' });
    t.false(
      events.some((e) => e.type === 'order.confirmed'),
      'never confirmed',
    );
    // The saga is undone: the charge refunded (choreography: payment hears order.cancelled; orchestration: the command), the laptop released.
    if (mode === 'orchestration') t.true(events.some((e) => e.type === 'payment.refund'));

    const notes = await waitFor(async () => {
      const { body } = await stack.http('notification', `/notifications?orderId=${orderId}`);
      return body.length > 0 ? (body as { kind: string; subject: string; body: string }[]) : undefined;
    });
    t.deepEqual(
      notes.map((n) => n.kind),
      ['order_cancelled'],
    );
    t.is(notes[0]!.body, `Order ${orderId} was cancelled because the payment did not match the order total. Any payment will be refunded.`);

    const after = await waitFor(async () => {
      const p = await stack.product('LAPTOP-123');
      return p.reserved === before.reserved ? p : undefined;
    });
    t.deepEqual(after, before, 'the reserved laptop is available again');
  });
}
