import type { SagaMode } from '@orderly/events';
import { waitFor } from '@orderly/platform/testing';
import { catalogue, customer, outcomeMatches, outcomeScenarios, Stack, scenarioOrder } from '@orderly/testkit';
import test from 'ava';

/** The README's scenarios; registered once per saga mode, and both must give the same outcomes. */
export function scenarios(mode: SagaMode): void {
  let stack: Stack;
  test.before(async () => {
    stack = await (await Stack.create(`scenarios_${mode}`, { SAGA_MODE: mode })).start();
  });
  test.after.always(async () => {
    await stack?.dispose();
  });

  const decided = ['CONFIRMED', 'REJECTED'];

  /** The customer is told after the order is decided: wait for the message to be stored. */
  async function notificationKinds(orderId: string): Promise<string[]> {
    return waitFor(async () => {
      const { body } = await stack.http('notification', `/notifications?orderId=${orderId}`);
      return body.length > 0 ? body.map((n: { kind: string }) => n.kind) : undefined;
    });
  }

  // The README's decided scenarios (shared with the demo and the live-cluster tool), each asserted in depth.
  const { confirmed, outOfStock, unknownProduct, declined } = outcomeScenarios;

  test('when an order for stock in hand is placed, then it is confirmed with its total and the customer is told', async (t) => {
    const before = await stack.product(catalogue.tshirt);
    const placed = await stack.placeOrder(scenarioOrder(confirmed, customer(100)));
    t.is(placed.status, 202);
    t.is(placed.body.status, 'PENDING');
    t.is(placed.headers.get('location'), `/orders/${placed.body.orderId}`);

    const order = await stack.orderReaches(placed.body.orderId, decided);
    t.true(outcomeMatches(confirmed, order), `${order.status} ${order.reason ?? ''}`);
    t.is(order.totalCents, 1999);
    t.is(order.currency, 'EUR');
    t.deepEqual(order.items, confirmed.items);

    const after = await stack.product(catalogue.tshirt);
    t.is(after.available, before.available - 1);
    t.is(after.sold + after.reserved, before.sold + before.reserved + 1);
    t.deepEqual(await notificationKinds(order.orderId), ['order_confirmed']);
    const payments = await stack.http('payment', `/payments?orderId=${order.orderId}`);
    t.is(payments.body[0].status, 'captured');
    t.is(payments.body[0].amountCents, 1999);
  });

  test.serial('when more is ordered than is in stock, then the order is rejected out_of_stock and stock is untouched', async (t) => {
    const before = await stack.product(catalogue.scarce);
    const placed = await stack.placeOrder(scenarioOrder(outOfStock, customer(101)));
    const order = await stack.orderReaches(placed.body.orderId, decided);
    t.true(outcomeMatches(outOfStock, order), `${order.status} ${order.reason ?? ''}`);
    t.deepEqual(await stack.product(catalogue.scarce), before);
    t.deepEqual(await notificationKinds(order.orderId), ['order_rejected']);
  });

  test.serial('when an order names a product we do not sell, then it is rejected unknown_product and nothing is reserved', async (t) => {
    const before = await stack.product(catalogue.book);
    // A known line beside the unknown one: nothing of the order may be reserved.
    const placed = await stack.placeOrder({ ...customer(102), items: [{ sku: catalogue.book, qty: 1 }, ...unknownProduct.items] });
    const order = await stack.orderReaches(placed.body.orderId, decided);
    t.true(outcomeMatches(unknownProduct, order), `${order.status} ${order.reason ?? ''}`);
    t.deepEqual(await stack.product(catalogue.book), before);
  });

  test.serial('when the card is declined, then the order is rejected payment_declined and the reserved stock is back', async (t) => {
    const before = await stack.product(catalogue.laptop);
    const placed = await stack.placeOrder(scenarioOrder(declined, customer(103)));
    const order = await stack.orderReaches(placed.body.orderId, decided);
    t.true(outcomeMatches(declined, order), `${order.status} ${order.reason ?? ''}`);
    // The price was fixed at reservation, so the total shows even though nothing was charged.
    t.is(order.totalCents, 129_900);
    const payments = await stack.http('payment', `/payments?orderId=${order.orderId}`);
    t.is(payments.body[0].status, 'declined');
    // Compensation runs after the order is rejected: wait for the stock to come back.
    const after = await waitFor(async () => {
      const p = await stack.product(catalogue.laptop);
      return p.reserved === before.reserved ? p : undefined;
    });
    t.deepEqual(after, before);
  });

  test('when the same Idempotency-Key is sent twice with the same body, then one order is made', async (t) => {
    const body = { ...customer(104), items: [{ sku: 'BOOK-ALICE', qty: 1 }] };
    const headers = { 'Idempotency-Key': `key-${Date.now()}` };
    const [first, second] = await Promise.all([stack.placeOrder(body, headers), stack.placeOrder(body, headers)]);
    t.is(first.status, 202);
    t.is(second.status, 202);
    t.is(first.body.orderId, second.body.orderId);
    const third = await stack.placeOrder(body, headers);
    t.is(third.body.orderId, first.body.orderId);
    const list = await stack.http('order', '/orders?customerId=C104');
    t.is(list.body.length, 1);
  });

  test('when an Idempotency-Key is reused with another body, then the request is refused with 409', async (t) => {
    const headers = { 'Idempotency-Key': `key-409-${Date.now()}` };
    const first = await stack.placeOrder({ ...customer(105), items: [{ sku: 'BOOK-ALICE', qty: 1 }] }, headers);
    t.is(first.status, 202);
    const other = await stack.placeOrder({ ...customer(105), items: [{ sku: 'BOOK-ALICE', qty: 2 }] }, headers);
    t.is(other.status, 409);
    t.regex(other.headers.get('content-type') ?? '', /^application\/problem\+json/);
    t.regex(other.body.detail, /different request body/);
  });

  const badRequests: [string, unknown, string][] = [
    ['an empty customer id', { ...customer(), customerId: '', items: [{ sku: 'BOOK-ALICE', qty: 1 }] }, 'customerId'],
    ['a zero quantity', { ...customer(), items: [{ sku: 'BOOK-ALICE', qty: 0 }] }, 'items.0.qty'],
    ['a fractional quantity', { ...customer(), items: [{ sku: 'BOOK-ALICE', qty: 1.5 }] }, 'items.0.qty'],
    ['an empty sku', { ...customer(), items: [{ sku: '', qty: 1 }] }, 'items.0.sku'],
    ['no lines', { ...customer(), items: [] }, 'items'],
    ['51 lines', { ...customer(), items: Array.from({ length: 51 }, () => ({ sku: 'BOOK-ALICE', qty: 1 })) }, 'items'],
    ['a bad email', { ...customer(), email: 'not-an-email', items: [{ sku: 'BOOK-ALICE', qty: 1 }] }, 'email'],
    ['an unknown field', { ...customer(), items: [{ sku: 'BOOK-ALICE', qty: 1 }], coupon: 'FREE' }, 'coupon'],
  ];
  for (const [what, body, field] of badRequests) {
    test(`when an order has ${what}, then it is a 400 problem naming ${field} and no order is made`, async (t) => {
      const res = await stack.placeOrder(body);
      t.is(res.status, 400);
      t.regex(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
      t.true(
        res.body['invalid-params'].some((p: { name: string }) => p.name === field),
        JSON.stringify(res.body),
      );
      t.is((await stack.http('order', '/orders?customerId=C1')).body.length, 0);
    });
  }

  test('when the body is not JSON or too large, then the client gets a problem and no order is made', async (t) => {
    const notJson = await fetch(stack.url('order', '/orders'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await stack.identity.operatorToken()}` },
      body: '{"customerId":',
    });
    t.is(notJson.status, 400);
    const big = { ...customer(), items: [{ sku: 'X'.repeat(64), qty: 1 }], paymentMethod: 'p'.repeat(40_000) };
    const tooLarge = await stack.placeOrder(big);
    t.is(tooLarge.status, 413);
    t.is(tooLarge.body.status, 413);
  });

  test.serial('when two lines name the same sku, then they count as one demand and stock never goes negative', async (t) => {
    await stack.http('inventory', '/products/TSHIRT-GRY-S/stock', { method: 'PUT', json: { available: 5 } });
    const before = await stack.product('TSHIRT-GRY-S');
    const split = await stack.placeOrder({
      ...customer(106),
      items: [
        { sku: 'TSHIRT-GRY-S', qty: 3 },
        { sku: 'TSHIRT-GRY-S', qty: 3 },
      ],
    });
    t.is((await stack.orderReaches(split.body.orderId, decided)).reason, 'out_of_stock');
    t.deepEqual(await stack.product('TSHIRT-GRY-S'), before);
  });

  test.serial('when many customers race for the last items, then exactly the stock is sold and the rest are rejected', async (t) => {
    await stack.http('inventory', '/products/TSHIRT-GRY-S/stock', { method: 'PUT', json: { available: 5 } });
    const before = await stack.product('TSHIRT-GRY-S');
    const placed = await Promise.all(
      Array.from({ length: 12 }, (_, i) => stack.placeOrder({ ...customer(200 + i), items: [{ sku: 'TSHIRT-GRY-S', qty: 1 }] })),
    );
    const orders = await Promise.all(placed.map((p) => stack.orderReaches(p.body.orderId, decided)));
    t.is(orders.filter((o) => o.status === 'CONFIRMED').length, 5);
    t.true(orders.filter((o) => o.status === 'REJECTED').every((o) => o.reason === 'out_of_stock'));
    const after = await stack.product('TSHIRT-GRY-S');
    t.is(after.available, 0);
    t.is(after.available + after.reserved + after.sold, before.available + before.reserved + before.sold);
  });

  test('when a customer lists their orders, then they see theirs, newest first, and an unknown order is a 404 problem', async (t) => {
    const a = await stack.placeOrder({ ...customer(107), items: [{ sku: 'BOOK-ALICE', qty: 1 }] });
    const b = await stack.placeOrder({ ...customer(107), items: [{ sku: 'BOOK-ALICE', qty: 2 }] });
    const list = await stack.http('order', '/orders?customerId=C107');
    t.deepEqual(
      list.body.map((o: { orderId: string }) => o.orderId),
      [b.body.orderId, a.body.orderId],
    );
    const missing = await stack.http('order', '/orders/00000000-0000-4000-8000-000000000000');
    t.is(missing.status, 404);
    t.is(missing.body.title, 'Not Found');
    t.is((await stack.http('order', '/orders/not-a-uuid')).status, 400);
    t.is((await stack.http('order', '/orders?status=NOPE')).status, 400, 'an unknown status is refused by name');
  });

  test('when a service is asked whether it lives, then it says which service it is and in which saga mode it runs', async (t) => {
    const { status, body } = await stack.http('payment', '/healthz');
    t.is(status, 200);
    t.deepEqual(body, { status: 'ok', service: 'payment', sagaMode: mode });
  });

  test('when a client reads the order API document, then it describes placing, reading and cancelling orders', async (t) => {
    const { status, body } = await stack.http('order', '/openapi.json');
    t.is(status, 200);
    t.truthy(body.paths['/orders/{id}/cancel']?.post);
    t.truthy(body.paths['/orders/{id}']?.get);
    const post = body.paths['/orders'].post;
    const [customer, operator] = post.requestBody.content['application/json'].schema.oneOf;
    // customerId and email come from a customer's token; an operator names them.
    t.deepEqual([...customer.required].sort(), ['items']);
    t.deepEqual([...operator.required].sort(), ['customerId', 'email', 'items']);
    t.truthy(customer.properties.customerId);
    t.deepEqual(
      post.parameters.map((p: { name: string; in: string }) => `${p.in} ${p.name}`),
      ['header Idempotency-Key'],
    );
    t.deepEqual(Object.keys(post.responses['202'].content), ['application/json']);
    t.deepEqual(body.security, [{ bearer: [] }], 'every route needs a bearer token');
    t.deepEqual(body.paths['/healthz'].get.security, [], 'but the probes');
    t.is(customer.additionalProperties, false, 'unknown fields are refused, as the API does');
  });
}
