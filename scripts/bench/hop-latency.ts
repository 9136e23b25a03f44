/**
 * Where a single order's time goes, hop by hop, on an idle stack: N orders placed one at a time
 * (each a pause after the previous one was decided, as the bench's single orders are) on the seven
 * services started in this process, in a scratch vhost and database of their own. Every message of
 * the order is seen by a tap (an exclusive queue bound to every key, no acks) with its envelope
 * time (when its producer emitted it, in microseconds) and the time the tap got it; the figures are
 * the medians, over the orders, of the steps between them. Read them against hop-floor.ts.
 *
 * Usage: node --conditions=source --import tsx scripts/bench/hop-latency.ts [--orders 50] [--pause-ms 300]
 *          [--services order,inventory,payment]   (only those: the path without the readers that only record)
 *        (SAGA_MODE=orchestration for the orchestrated saga)
 */
import { parseArgs } from 'node:util';
import { allServices, type ServiceName } from '@orderly/testkit';
import { tappedStack, wallMs } from './order-tap.ts';
import { summarize } from './percentiles.ts';

const { values } = parseArgs({
  options: { orders: { type: 'string', default: '50' }, 'pause-ms': { type: 'string', default: '300' }, services: { type: 'string' } },
});
const orders = Number(values.orders);
const pauseMs = Number(values['pause-ms']);
/** Only these services (e.g. order,inventory,payment: the path without the readers that only record). */
const only = values.services?.split(',').map((s) => s.trim()) as ServiceName[] | undefined;
const mode = process.env.SAGA_MODE === 'orchestration' ? 'orchestration' : 'choreography';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const waiters = new Map<string, () => void>();
const tapped = await tappedStack('orderly_hop_latency', mode, only ?? allServices);
const { seen, client, close } = tapped;
tapped.onTapped = (orderId, type) => {
  if (type === 'order.confirmed' || type === 'order.rejected') waiters.get(orderId)?.();
};
try {
  await client.placeOrder({ items: [{ sku: 'TSHIRT-BLK-M', qty: 1 }] }); // warm-up: first compiles, first connections

  const steps = new Map<string, number[]>();
  const add = (name: string, ms: number) => steps.set(name, [...(steps.get(name) ?? []), ms]);
  for (let i = 0; i < orders; i++) {
    await sleep(pauseMs);
    const sentMs = wallMs();
    const res = await client.placeOrder({ items: [{ sku: 'TSHIRT-BLK-M', qty: 1 }] });
    const acceptedMs = wallMs();
    const orderId = (res.body as { orderId?: string } | undefined)?.orderId;
    if (res.status !== 202 || !orderId) throw new Error(`order refused: ${res.status} ${JSON.stringify(res.body)}`);
    if (!seen.get(orderId)?.some((s) => s.type === 'order.confirmed'))
      await new Promise<void>((resolve) => {
        waiters.set(orderId, resolve);
        setTimeout(resolve, 10_000);
      });
    waiters.delete(orderId);
    const list = [...(seen.get(orderId) ?? [])].sort((a, b) => a.emittedMs - b.emittedMs);
    const confirmed = list.find((s) => s.type === 'order.confirmed');
    if (!confirmed) throw new Error(`order ${orderId} not confirmed: ${list.map((s) => s.type).join(', ')}`);
    add('HTTP 202 read', acceptedMs - sentMs);
    let previous = sentMs;
    let previousName = 'HTTP send';
    for (const s of list.filter((x) => x.emittedMs <= confirmed.emittedMs)) {
      add(`${previousName} → ${s.type} emitted`, s.emittedMs - previous);
      previous = s.emittedMs;
      previousName = s.type;
    }
    add('order.confirmed emitted → tapped', confirmed.tappedMs - confirmed.emittedMs);
    add('total: HTTP send → order.confirmed tapped', confirmed.tappedMs - sentMs);
  }
  const which = only ? only.join(', ') : 'all seven services';
  console.log(`${orders} single orders, ${pauseMs} ms apart, ${mode}, ${which} in one process (median / p95 ms over the orders)`);
  for (const [name, ms] of steps) {
    const s = summarize(ms);
    if (s.count < orders / 2) continue; // a step only some orders took (a message emitted in another order)
    console.log(`  ${name.padEnd(62)} ${s.p50.toFixed(2).padStart(7)} ${s.p95.toFixed(2).padStart(7)}`);
  }
} finally {
  await close();
}
