import { exchanges } from '@orderly/events';
import test from 'ava';
import type { Handlers } from '../src/inbound/handlers.js';
import { startService } from '../src/service.js';
import { StreamReader } from '../src/stream/reader.js';
import { createTestEnv, publishEnvelope, publishRaw, waitFor } from '../src/testing/index.js';
import { Database } from '../src/transaction/transaction.js';
import { auditConnections } from './fixture/audit-connections.js';
import { auditReaderOptions } from './fixture/reader-options.js';
import { confirmedEvent, consumerService, recorder } from './fixture/service.js';

/**
 * A reader only records: what it receives waits for the batch, and so does the work of reading it.
 * A delivery is parsed, checked and matched to its handler when its batch is taken (full, or after
 * the linger), not when it arrives, which is when the order's next service handles the same event
 * on the same event loop. Seen here from outside: the JSON parse of the message's body and the
 * lookup in the reader's handlers, during a long linger.
 */
const cleanups: (() => Promise<unknown>)[] = [];
const realParse = JSON.parse;
test.after.always(async () => {
  JSON.parse = realParse;
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

const lingerMs = 3_000;

test('a burst of deliveries is parsed and matched to its handlers only when the linger ends, in one pass', async (t) => {
  const e = await createTestEnv('stream-batch-time');
  cleanups.push(() => e.cleanup());
  const owner = await startService(consumerService(), e.envFor('order'));
  cleanups.push(() => owner.stop());

  const events = Array.from({ length: 5 }, () => confirmedEvent());
  const ids = new Set(events.map((ev) => ev.id));
  // The bodies of this burst parsed in this process (the reader runs here), and when.
  const parsedAt: number[] = [];
  JSON.parse = ((text: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
    if (typeof text === 'string' && [...ids].some((id) => text.includes(id))) parsedAt.push(performance.now());
    return realParse(text, reviver);
  }) as typeof JSON.parse;
  const rec = recorder();
  const lookedUpAt: number[] = [];
  const handlers = new Proxy<Handlers>(
    { '*': rec.handler },
    {
      get: (target, key) => {
        if (key === '*') lookedUpAt.push(performance.now());
        return Reflect.get(target, key);
      },
    },
  );

  const { metrics, url, broker, publisher, pool, logger } = await auditConnections(e, 'reader-batch-time');
  const options = auditReaderOptions(url, rec.handler, { lingerMs, handlers });
  const reader = new StreamReader(options, new Database(pool, 'audit'), publisher, metrics, logger);
  cleanups.push(async () => {
    await reader.stop();
    await broker.close().catch(() => {});
    await pool.end().catch(() => {});
  });
  await reader.attach(broker);

  // One more message that can never be handled: its parking waits for the batch too.
  const burstAt = performance.now();
  for (const ev of events) await publishEnvelope(e, ev);
  await publishRaw(e, exchanges.events, 'order.confirmed', `{"id":"${events[0]!.id}", not json`, {
    type: 'order.confirmed',
    messageId: 'poison',
    as: 'order',
  });
  // The broker hands a stream's messages over in milliseconds: by now the reader holds the burst.
  await new Promise((r) => setTimeout(r, lingerMs / 2));
  t.deepEqual([parsedAt.length, lookedUpAt.length], [0, 0], 'nothing parsed or looked up while the batch lingers');

  await waitFor(async () => (rec.calls() >= events.length ? true : undefined), { what: 'the burst recorded', timeoutMs: 15_000 });
  t.is(rec.calls(), events.length);
  t.is(parsedAt.length, events.length + 1, 'each body parsed once, the poison included');
  t.is(lookedUpAt.length, events.length, 'each parsed event matched to its handler once');
  const first = Math.min(...parsedAt, ...lookedUpAt);
  const last = Math.max(...parsedAt, ...lookedUpAt);
  t.true(first - burstAt >= lingerMs - 50, `the first parse came ${Math.round(first - burstAt)} ms after the burst`);
  t.true(last - first < lingerMs / 2, `the burst was read in one pass (${Math.round(last - first)} ms)`);
});
