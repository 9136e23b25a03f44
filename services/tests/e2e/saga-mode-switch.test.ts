import { commandTypes, newEnvelope, publishers, type SagaMode, topologyModeOf } from '@orderly/events';
import { allButCommands, consumedCount, permitWrite, publishEnvelope, waitFor } from '@orderly/platform/testing';
import { allServices, customer, Stack } from '@orderly/testkit';
import test from 'ava';
import pg from 'pg';

/**
 * A saga-mode switch with orders in flight (decision 0022). The stack runs in one
 * mode with payment down, so orders wait mid-saga; it stops and starts in the other mode while
 * those finish (SAGA_SWITCHING, both modes' bindings, the order user allowed the commands); then,
 * drained, it starts in the new mode alone. Every order ends delivered exactly once — one captured
 * payment and no refund, one shipment, each message to the customer once, the stock sold once —
 * and orders placed after the switch are not held back.
 */
const stepTimeoutMs = 20_000;
const sku = 'BOOK-ALICE';

/** The order user's broker rights as the chart grants them for the mode (only the order service sends commands). */
async function deployRights(stack: Stack, mode: SagaMode, switching: boolean): Promise<void> {
  const commands = publishers(topologyModeOf(mode, switching)).order.includes('orderly.commands');
  await permitWrite(stack.env, 'order', commands ? '.*' : allButCommands);
}

async function deploy(stack: Stack, mode: SagaMode, switching: boolean, names = allServices): Promise<void> {
  await deployRights(stack, mode, switching);
  await stack.start(names, { SAGA_MODE: mode, SAGA_SWITCHING: String(switching) });
}

/** As a crash between publish and sent-mark leaves them: the commands of the orders in flight go out again after the switch. */
async function unmarkCommands(stack: Stack, orderIds: string[]): Promise<number> {
  const db = new pg.Client({ connectionString: stack.env.databaseUrl });
  await db.connect();
  try {
    const { rowCount } = await db.query(
      `UPDATE "order".outbox SET published_at = NULL WHERE type = ANY($1::text[]) AND payload->>'subject' = ANY($2::text[])`,
      [commandTypes, orderIds],
    );
    return rowCount ?? 0;
  } finally {
    await db.end();
  }
}

async function exactlyOnce(t: import('ava').ExecutionContext, stack: Stack, orderIds: string[]): Promise<void> {
  for (const orderId of orderIds) {
    t.is((await stack.order(orderId))?.status, 'DELIVERED', orderId);
    const { body: payments } = await stack.http('payment', `/payments?orderId=${orderId}`);
    t.deepEqual(
      payments.map((p: { status: string }) => p.status),
      ['captured'],
      `one payment, kept: ${orderId}`,
    );
    const { body: shipments } = await stack.http('shipping', `/shipments?orderId=${orderId}`);
    t.is(shipments.length, 1, `one shipment: ${orderId}`);
    const kinds = await waitFor(async () => {
      const { body } = await stack.http('notification', `/notifications?orderId=${orderId}`);
      const all = body.map((n: { kind: string }) => n.kind) as string[];
      return all.includes('order_delivered') ? all : undefined;
    });
    t.deepEqual(kinds, [...new Set(kinds)], `each message once: ${orderId}`);
  }
  const { body } = await stack.http('order', '/admin/outbox/parked');
  t.deepEqual(body, { parked: [] }, 'nothing parked');
}

async function switchUnderWay(t: import('ava').ExecutionContext, from: SagaMode, to: SagaMode): Promise<void> {
  const stack = await Stack.create(`switch_${from.slice(0, 5)}_${to.slice(0, 5)}`, {
    SAGA_STEP_TIMEOUT_MS: String(stepTimeoutMs),
    SAGA_TIMEOUT_POLL_MS: '100',
  });
  t.teardown(() => stack.dispose());
  // Payment is down: the orders wait for their charge, mid-saga.
  await deploy(
    stack,
    from,
    false,
    allServices.filter((s) => s !== 'payment'),
  );
  await stack.setStock(sku, 1000);
  const before = await stack.product(sku);
  const place = async (n: number) => (await stack.placeOrder({ ...customer(n), items: [{ sku, qty: 1 }] })).body.orderId as string;
  const inFlight = [await place(1), await place(2), await place(3), await place(4)];
  for (const orderId of inFlight) await stack.orderReaches(orderId, ['RESERVED']);
  const leftAt = Date.now();
  await stack.stop();
  if (from === 'orchestration') t.true((await unmarkCommands(stack, inFlight)) > 0);

  // Switched: the orders in flight finish in the mode they started in, while new ones start in the new one.
  await deploy(stack, to, true);
  for (const orderId of inFlight) await stack.orderReaches(orderId, ['DELIVERED'], 40_000);
  const placedDuring = [await place(5), await place(6)];
  for (const orderId of placedDuring) await stack.orderReaches(orderId, ['DELIVERED'], 40_000);
  // What tells an operator the drain is over: orderly_sagas_in_flight{mode=<the old one>} at 0.
  const inFlightOf = async (mode: SagaMode) => {
    const gauge = stack.services.get('order')?.metrics.registry.getSingleMetric('orderly_sagas_in_flight');
    return (await gauge?.get())?.values.find((v) => v.labels.mode === mode)?.value;
  };
  const drained = await waitFor(async () => ((await inFlightOf(from)) === 0 ? true : undefined), { what: 'the drain' }).catch(() => false);
  await stack.stop();

  // Drained: the new mode alone. An orchestrated saga left running would now time out and compensate (refund) a delivered order.
  await deploy(stack, to, false);
  await new Promise((r) => setTimeout(r, Math.max(0, leftAt + stepTimeoutMs + 1_500 - Date.now())));
  const after = await place(7);
  await stack.orderReaches(after, ['DELIVERED'], 40_000);
  const all = [...inFlight, ...placedDuring, after];
  await exactlyOnce(t, stack, all);
  const stock = await stack.product(sku);
  t.is(stock.sold - before.sold, all.length, 'each order’s book sold once');
  t.is(stock.reserved, before.reserved, 'nothing left held');
  t.true(drained, `orderly_sagas_in_flight{mode="${from}"} reached 0 before the switch ended`);
}

test.serial('when orchestration is switched to choreography with orders in flight, then every order is delivered exactly once', (t) =>
  switchUnderWay(t, 'orchestration', 'choreography'),
);

test.serial('when choreography is switched to orchestration with orders in flight, then every order is delivered exactly once', (t) =>
  switchUnderWay(t, 'choreography', 'orchestration'),
);

test.serial(
  'when an orchestrated order is cancelled before its charge and its reservation is reported after the switch, then no money is kept',
  async (t) => {
    const stack = await Stack.create('switch_cancel', { SAGA_STEP_TIMEOUT_MS: String(stepTimeoutMs) });
    t.teardown(() => stack.dispose());
    // Inventory is down: the order waits at its first step when the customer cancels it.
    const withoutInventory = allServices.filter((s) => s !== 'inventory');
    await deploy(stack, 'orchestration', false, withoutInventory);
    const placed = await stack.placeOrder({ ...customer(8), items: [{ sku, qty: 1 }] });
    const orderId = placed.body.orderId as string;
    t.is((await stack.cancel(orderId)).status, 200);
    await stack.stop();
    // Switched, and the reservation comes only now (as the chaos run saw: inventory handled the queued
    // reserve before the release). Choreography's binding has payment charge on it.
    await deploy(stack, 'choreography', true, withoutInventory);
    const line = { sku, qty: 1, unitPriceCents: 1299 };
    await publishEnvelope(
      stack.env,
      newEnvelope('inventory', 'inventory.reserved', orderId, { orderId, lines: [line], totalCents: 1299, currency: 'EUR' }),
    );
    await waitFor(async () => ((await consumedCount(stack.services.get('payment')!, { queue: 'payment' })) > 0 ? true : undefined), {
      what: 'payment to handle the reservation',
    });
    const { body } = await stack.http('payment', `/payments?orderId=${orderId}`);
    t.deepEqual(
      body.map((p: { status: string }) => p.status),
      ['voided'],
      'the cancellation voided the payment, so the late charge took nothing',
    );
    t.is((await stack.order(orderId))?.status, 'CANCELLED');
  },
);
