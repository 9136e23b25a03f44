import { consumerQueues, type SagaMode } from '@orderly/events';
import { drainQueue, waitFor } from '@orderly/platform/testing';
import { customer, Stack } from '@orderly/testkit';
import test from 'ava';

const decided = ['CONFIRMED', 'REJECTED', 'CANCELLED'];

/** Shipping, customers, the audit log, cancellation and refunds; registered once per saga mode. */
export function fulfilment(mode: SagaMode): void {
  let stack: Stack;
  test.before(async () => {
    // The parcel waits 1.5 s in the warehouse: long enough to cancel a confirmed order before it leaves.
    stack = await (await Stack.create(`fulfilment_${mode}`, { SAGA_MODE: mode, SHIPPING_DISPATCH_DELAY_MS: '1500' })).start();
    await stack.http('inventory', '/products/BOOK-ALICE/stock', { method: 'PUT', json: { available: 1000 } });
  });
  test.after('then no message anywhere was dead-lettered', async (t) => {
    for (const { queue: q } of consumerQueues(mode)) {
      t.deepEqual(await drainQueue(stack.env, `${q}.dlq`), [], `${q}.dlq is empty`);
    }
  });
  test.after.always(async () => {
    await stack?.dispose();
  });

  const place = async (n: number, extra: object = {}) => {
    const res = await stack.placeOrder({ ...customer(n), items: [{ sku: 'BOOK-ALICE', qty: 1 }], ...extra });
    return res.body.orderId as string;
  };
  const kinds = async (orderId: string, expected: number) =>
    waitFor(async () => {
      const { body } = await stack.http('notification', `/notifications?orderId=${orderId}`);
      return body.length >= expected ? (body.map((n: { kind: string }) => n.kind).sort() as string[]) : undefined;
    });

  test('when an order is confirmed, then it ships and is delivered with a tracking number, and the customer hears of each step', async (t) => {
    const orderId = await place(300);
    const order = await stack.orderReaches(orderId, ['DELIVERED', 'REJECTED', 'CANCELLED']);
    t.is(order.status, 'DELIVERED');
    const { body: shipments } = await stack.http('shipping', `/shipments?orderId=${orderId}`);
    t.is(shipments.length, 1);
    t.regex(shipments[0].trackingNumber, /^OR\d{10}$/);
    t.deepEqual(
      shipments[0].history.map((h: { status: string }) => h.status),
      ['created', 'dispatched', 'delivered'],
    );
    t.deepEqual(await kinds(orderId, 3), ['order_confirmed', 'order_delivered', 'order_shipped']);
  });

  test('when a customer orders, then their profile exists and their history matches their orders with status and totals', async (t) => {
    const a = await place(301);
    const b = await stack.placeOrder({ ...customer(301), items: [{ sku: 'NO-SUCH', qty: 1 }] });
    await stack.orderReaches(a, ['DELIVERED']);
    await stack.orderReaches(b.body.orderId, ['REJECTED']);
    const profile = await stack.http('customer', '/customers/C301');
    t.is(profile.status, 200);
    t.is(profile.body.email, 'c301@example.com');
    const history = await waitFor(async () => {
      const { body } = await stack.http('customer', '/customers/C301/orders');
      const statuses = body.map((o: { status: string }) => o.status).sort();
      return statuses.join() === 'DELIVERED,REJECTED' ? body : undefined;
    });
    const delivered = history.find((o: { orderId: string }) => o.orderId === a);
    t.is(delivered.totalCents, 1299);
    t.is(history.find((o: { orderId: string }) => o.orderId === b.body.orderId).reason, 'unknown_product');
  });

  test('when an order completes, then the audit log holds each of its messages exactly once, in causal order', async (t) => {
    const orderId = await place(302);
    await stack.orderReaches(orderId, ['DELIVERED']);
    const timeline = await waitFor(async () => {
      const { status, body } = await stack.http('audit', `/orders/${orderId}/events`);
      return status === 200 && body.some((e: { type: string }) => e.type === 'order.delivered') ? body : undefined;
    });
    const ids = timeline.map((e: { id: string }) => e.id);
    t.is(new Set(ids).size, ids.length, 'no message twice');
    t.is(timeline[0].type, 'order.placed');
    // Causal order: every message comes after the message that caused it.
    const position = new Map(ids.map((id: string, i: number) => [id, i]));
    for (const [i, e] of timeline.entries()) {
      if (e.causationId && position.has(e.causationId)) t.true((position.get(e.causationId) as number) < i, `${e.type} after its cause`);
    }
    const types = timeline.map((e: { type: string }) => e.type);
    for (const type of ['inventory.reserved', 'payment.completed', 'order.confirmed', 'shipment.dispatched', 'order.delivered']) {
      t.true(types.includes(type), `${type} is in the timeline`);
    }
    if (mode === 'orchestration') t.true(types.includes('payment.charge'), 'commands are audited too');
  });

  test('when a confirmed order is cancelled before it ships, then stock comes back, the payment is refunded and the customer is told', async (t) => {
    // Its own SKU, so the stock can be compared exactly while other tests run.
    const placed = await stack.placeOrder({ ...customer(303), items: [{ sku: 'TSHIRT-BLK-M', qty: 1 }], paymentMethod: 'pm_card_visa' });
    const orderId = placed.body.orderId as string;
    t.is((await stack.orderReaches(orderId, ['CONFIRMED', 'SHIPPED', 'DELIVERED'])).status, 'CONFIRMED');
    const before = await stack.product('TSHIRT-BLK-M');
    const res = await stack.http('order', `/orders/${orderId}/cancel`, { method: 'POST' });
    t.is(res.status, 200);
    t.is(res.body.status, 'CANCELLED');
    const payment = await waitFor(async () => {
      const { body } = await stack.http('payment', `/payments?orderId=${orderId}`);
      return body[0]?.status === 'refunded' ? body[0] : undefined;
    });
    t.is(payment.amountCents, 1999);
    t.deepEqual(await kinds(orderId, 3), ['order_cancelled', 'order_confirmed', 'payment_refunded']);
    const { body: shipments } = await stack.http('shipping', `/shipments?orderId=${orderId}`);
    t.true(
      shipments.every((s: { status: string }) => s.status === 'cancelled'),
      'the parcel never leaves',
    );
    // Held or already sold, the T-shirt goes back on the shelf.
    const after = await waitFor(async () => {
      const p = await stack.product('TSHIRT-BLK-M');
      return p.available === before.available + 1 ? p : undefined;
    });
    t.is(after.available + after.reserved + after.sold, before.available + before.reserved + before.sold);
    const again = await stack.http('order', `/orders/${orderId}/cancel`, { method: 'POST' });
    t.is(again.status, 200, 'cancelling twice is harmless');
  });

  test('when an order has shipped, then cancelling it is refused with 409 and nothing is undone', async (t) => {
    const orderId = await place(304);
    await stack.orderReaches(orderId, ['SHIPPED', 'DELIVERED']);
    const res = await stack.http('order', `/orders/${orderId}/cancel`, { method: 'POST' });
    t.is(res.status, 409);
    t.regex(res.headers.get('content-type') ?? '', /problem\+json/);
    const { body } = await stack.http('payment', `/payments?orderId=${orderId}`);
    t.is(body[0].status, 'captured');
  });

  test.serial('when cancels race payments, then no money is kept for a cancelled order and no stock is lost', async (t) => {
    await stack.http('inventory', '/products/LAPTOP-123/stock', { method: 'PUT', json: { available: 40 } });
    const before = await stack.product('LAPTOP-123');
    const ids = await Promise.all(
      Array.from({ length: 20 }, (_, i) => stack.placeOrder({ ...customer(400 + i), items: [{ sku: 'LAPTOP-123', qty: 1 }] })),
    ).then((rs) => rs.map((r) => r.body.orderId as string));
    // Cancel at once, while reservations and charges are in flight.
    const cancels = await Promise.all(ids.map((id) => stack.http('order', `/orders/${id}/cancel`, { method: 'POST' })));
    const cancelled = ids.filter((_, i) => cancels[i]!.status === 200);
    t.true(cancelled.length >= 15, `most cancels land before shipping (${cancelled.length}/20)`);
    for (const id of cancelled) t.is((await stack.orderReaches(id, decided)).status, 'CANCELLED');
    // Settled when no payment is captured for a cancelled order and no laptop is held for one.
    const settled = await waitFor(
      async () => {
        const payments = await Promise.all(cancelled.map(async (id) => (await stack.http('payment', `/payments?orderId=${id}`)).body[0]));
        const product = await stack.product('LAPTOP-123');
        const kept = payments.filter((p) => p?.status === 'captured');
        return kept.length === 0 && product.reserved === 0 ? { payments, product } : undefined;
      },
      { timeoutMs: 30_000, what: 'cancelled orders to be refunded or voided and their stock released' },
    );
    const shipped = ids.length - cancelled.length;
    t.is(settled.product.available + settled.product.sold, before.available + before.sold, 'stock conserved');
    t.is(settled.product.sold - before.sold, shipped, 'only orders that were not cancelled keep their laptop');
    t.true(settled.payments.every((p) => p === undefined || p.status === 'refunded' || p.status === 'voided' || p.status === 'declined'));
  });
}
