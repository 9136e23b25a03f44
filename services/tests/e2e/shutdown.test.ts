import { drainQueue, operatorHeaders, waitFor } from '@orderly/platform/testing';
import { customer, type ServiceProcess, Stack, spawnService } from '@orderly/testkit';
import test from 'ava';

let stack: Stack;
const processes: ServiceProcess[] = [];
test.before(async () => {
  stack = await (await Stack.create('shutdown')).start(['order', 'payment', 'notification']);
});
test.after.always(async () => {
  for (const p of processes) await p.kill('SIGKILL');
  await stack?.dispose();
});

test('when inventory is stopped with SIGTERM under load and started again, then no order is lost or doubled', async (t) => {
  const env = { ...stack.env.envFor('inventory'), SEED_DEMO_CATALOGUE: 'true', LOG_LEVEL: 'info' };
  const first = await spawnService('inventory', env);
  processes.push(first);
  await fetch(`http://127.0.0.1:${first.port}/products/BOOK-ALICE/stock`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...(await operatorHeaders()) },
    body: JSON.stringify({ available: 10_000 }),
  });

  const total = 150;
  const placed: string[] = [];
  let stopped: Promise<number | null> | undefined;
  // A steady stream of orders; inventory gets SIGTERM a third of the way in.
  for (let i = 0; i < total; i += 5) {
    const batch = await Promise.all(
      Array.from({ length: 5 }, (_, j) => stack.placeOrder({ ...customer(i + j), items: [{ sku: 'BOOK-ALICE', qty: 1 }] })),
    );
    placed.push(...batch.map((r) => r.body.orderId));
    if (i === 50) stopped = first.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 20));
  }
  t.is(await stopped, 0, `inventory exits cleanly on SIGTERM:\n${first.output().slice(-2000)}`);
  t.regex(first.output(), /"msg":"stopped"/);

  const second = await spawnService('inventory', env);
  processes.push(second);
  const orders = await Promise.all(placed.map((id) => stack.orderReaches(id, ['CONFIRMED', 'REJECTED'], 60_000)));
  t.is(orders.filter((o) => o.status === 'CONFIRMED').length, total);

  const product = await waitFor(async () => {
    const res = await fetch(`http://127.0.0.1:${second.port}/products/BOOK-ALICE`, { headers: await operatorHeaders() });
    const p = (await res.json()) as { available: number; reserved: number; sold: number };
    return p.sold === total ? p : undefined;
  });
  t.is(product.available + product.reserved + product.sold, 10_000, 'stock is conserved');
  t.is(product.reserved, 0);
  t.deepEqual(await drainQueue(stack.env, 'inventory.dlq'), []);
});
