import { exchanges } from '@orderly/events';
import amqp from 'amqplib';
import test from 'ava';
import { startService } from '../src/service.js';
import { createTestEnv, drainQueue, type TestEnv, waitFor } from '../src/testing/index.js';
import { confirmedEvent, consumerService, recorder } from './fixture/service.js';

const cleanups: (() => Promise<void>)[] = [];
test.after.always(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** Publishes many messages in one burst, so the consumer receives them together. */
async function burst(e: TestEnv, events: ReturnType<typeof confirmedEvent>[]): Promise<void> {
  // As the producer of order.confirmed, with its user_id: consumers accept nothing unverified.
  const url = e.amqpUrlFor('order');
  const conn = await amqp.connect(url);
  const ch = await conn.createConfirmChannel();
  const userId = decodeURIComponent(new URL(url).username);
  for (const ev of events)
    ch.publish(exchanges.events, ev.type, Buffer.from(JSON.stringify(ev)), { type: ev.type, messageId: ev.id, persistent: true, userId });
  await ch.waitForConfirms();
  await conn.close();
}

async function batchedService(name: string, handler: Parameters<typeof consumerService>[0]) {
  const e = await createTestEnv(name);
  cleanups.push(() => e.cleanup());
  // Stopped and started again so that the burst waits in the queue and arrives as one prefetch.
  const first = await startService(consumerService(handler, { batched: true }), { ...e.envFor('audit'), RETRY_MAX_ATTEMPTS: '2' });
  await first.stop();
  return { e, start: () => startService(consumerService(handler, { batched: true }), { ...e.envFor('audit'), RETRY_MAX_ATTEMPTS: '2' }) };
}

const outcomes = async (service: Awaited<ReturnType<typeof startService>>, outcome: string) =>
  (await service.metrics.consumed.get()).values.filter((v) => v.labels.outcome === outcome).reduce((n, v) => n + v.value, 0);

test('when messages arrive together, including the same event twice, then each has one effect', async (t) => {
  const { handler, calls } = recorder();
  const { e, start } = await batchedService('batch_dup', handler);
  const events = Array.from({ length: 20 }, () => confirmedEvent());
  await burst(e, [...events, events[3]!, events[7]!]);
  const service = await start();
  cleanups.push(() => service.stop());
  await waitFor(async () => ((await outcomes(service, 'ack')) + (await outcomes(service, 'duplicate')) === 22 ? true : undefined));
  const { rows } = await service.db.pool.query('SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS d FROM effects');
  t.deepEqual(rows[0], { n: 20, d: 20 });
  t.is(await outcomes(service, 'duplicate'), 2);
  t.true(calls() <= 22);
  // now() is the transaction's start: rows written in one transaction share it.
  const tx = await service.db.pool.query('SELECT count(DISTINCT handled_at)::int AS n FROM inbox');
  t.true(tx.rows[0].n < 10, `20 messages took ${tx.rows[0].n} transactions`);
});

test('when one message of a batch fails, then the others are handled once and only the failing one is retried and parked', async (t) => {
  const bad = confirmedEvent();
  const { handler } = recorder(() => undefined);
  const failing: typeof handler = async (event, tx) => {
    if (event.id === bad.id) throw new Error('this one is broken');
    await handler(event, tx);
  };
  const { e, start } = await batchedService('batch_fail', failing);
  const good = Array.from({ length: 15 }, () => confirmedEvent());
  await burst(e, [...good.slice(0, 7), bad, ...good.slice(7)]);
  const service = await start();
  cleanups.push(() => service.stop());
  await waitFor(async () => ((await outcomes(service, 'dead_letter')) === 1 && (await outcomes(service, 'ack')) >= 15 ? true : undefined));
  const { rows } = await service.db.pool.query('SELECT event_id FROM effects');
  t.deepEqual(rows.map((r) => r.event_id).sort(), good.map((g) => g.id).sort());
  t.is(await outcomes(service, 'ack'), 15);
  t.is(await outcomes(service, 'retry'), 1);
  const [parked] = await drainQueue(e, 'audit.dlq');
  t.is(parked?.messageId, bad.id);
});

test('when an order’s next message arrives while a batch holding its first is still running, then it waits for that batch', async (t) => {
  const orderId = crypto.randomUUID();
  const first = confirmedEvent(orderId);
  const second = confirmedEvent(orderId);
  const seen: string[] = [];
  const { handler } = recorder();
  const slowFirst: typeof handler = async (event, tx) => {
    const which = event.id === first.id ? 'first' : event.id === second.id ? 'second' : 'other';
    seen.push(`${which} started`);
    // Other orders' messages make the first batch bigger; the first order's message holds it open.
    if (which === 'first') await new Promise((r) => setTimeout(r, 400));
    await handler(event, tx);
    seen.push(`${which} done`);
  };
  const { e, start } = await batchedService('batch_order', slowFirst);
  const service = await start();
  cleanups.push(() => service.stop());
  await burst(e, [first, confirmedEvent(), confirmedEvent()]);
  await waitFor(async () => (seen.includes('first started') ? true : undefined));
  await burst(e, [second]);
  await waitFor(async () => ((await outcomes(service, 'ack')) === 4 ? true : undefined));
  const mine = seen.filter((s) => !s.startsWith('other'));
  t.deepEqual(mine, ['first started', 'first done', 'second started', 'second done']);
  t.is(await outcomes(service, 'retry'), 0);
});

test('when messages arrive one by one while a batch is running, then they are handled together in the next transaction', async (t) => {
  const holder = confirmedEvent();
  const { handler } = recorder();
  let released: () => void = () => {};
  const hold = new Promise<void>((r) => {
    released = r;
  });
  let holdingNow = false;
  const holding: typeof handler = async (event, tx) => {
    if (event.id === holder.id) {
      holdingNow = true;
      await hold;
    }
    await handler(event, tx);
  };
  const { e, start } = await batchedService('batch_group', holding);
  const service = await start();
  cleanups.push(() => service.stop());
  await burst(e, [holder]);
  await waitFor(async () => (holdingNow ? true : undefined));
  // Ten messages in ten publishes, each reaching the consumer in its own turn of the event loop.
  const later = Array.from({ length: 10 }, () => confirmedEvent());
  for (const ev of later) {
    await burst(e, [ev]);
    await new Promise((r) => setTimeout(r, 20));
  }
  released();
  await waitFor(async () => ((await outcomes(service, 'ack')) === 11 ? true : undefined));
  // now() is the transaction's start: one value per transaction.
  const { rows } = await service.db.pool.query('SELECT count(DISTINCT handled_at)::int AS n FROM inbox');
  t.is(rows[0].n, 2, 'the held message, then everything that arrived meanwhile');
});
