import { deadLetterExchange, deadLetterQueue, exchanges, quarantineQueue } from '@orderly/events';
import { createLogger, createMetrics, type RunningService } from '@orderly/platform';
import { drainQueue, headerBomb, publishRawHeaders, waitFor } from '@orderly/platform/testing';
import test from 'ava';
import { ConsoleBroker } from '../src/bus/console-broker.js';
import { DeadLetterKeeper, UnrecordableError } from '../src/bus/dead-letter-keeper.js';
import { api, confirmed, consoleTestEnv, declareTopology, dlqDepthOf, park, startConsole, untilRecorded } from './helpers.js';

/**
 * Poison in the DLQs: a header bomb killed the keeper's connection on every
 * reconnect, for every DLQ; an out-of-range x-death time failed every insert of its message for
 * good; an 8 MB message was stored and served whole.
 */
const { env, cleanups } = await consoleTestEnv('poison');
test.after.always(() => cleanups.run());
test.serial.before(async () => {
  await declareTopology(env, 'choreography', 3);
});

const dlqDepth = (queue: string) => dlqDepthOf(env, queue);
const disconnects = async (service: RunningService<unknown>) =>
  (await service.metrics.brokerConnections.get()).values.filter((v) => v.labels.event === 'disconnect').reduce((n, v) => n + v.value, 0);

test.serial(
  'when a header bomb is parked in a DLQ, then the keeper records it with why, keeps its connection, and records every other DLQ',
  async (t) => {
    const console = await startConsole(env, cleanups);
    const bomb = confirmed();
    await publishRawHeaders(env, deadLetterExchange('shipping'), 'shipping', Buffer.from(JSON.stringify(bomb)), headerBomb(5_000), {
      as: 'shipping',
      type: bomb.type,
      messageId: bomb.id,
    });
    const others = ['shipping', 'payment', 'inventory', 'order'];
    for (const queue of others) await park(env, queue, queue, JSON.stringify(confirmed()));
    const rows = await untilRecorded(console, env, others.length + 1);
    const bombRow = rows.find((r) => r.messageId === bomb.id);
    t.truthy(bombRow, 'the bomb is recorded');
    t.is(bombRow.error, 'headers not decodable: tables nested deeper than 64');
    t.is(bombRow.orderId, bomb.subject, 'with what its body says');
    for (const queue of others)
      t.true(
        rows.some((r) => r.queue === queue && r.messageId !== bomb.id),
        `${queue}.dlq recorded`,
      );
    t.is(await disconnects(console), 0, "the keeper's connection was never lost");
    await console.stop();
  },
);

test.serial(
  'when a parked message carries an x-death or failed-at time out of any range, then it is recorded at the time it was taken, and the DLQ flows on',
  async (t) => {
    const console = await startConsole(env, cleanups);
    const far = confirmed();
    await park(env, 'payment', 'payment', JSON.stringify(far), {
      messageId: far.id,
      headers: { 'x-death': [{ reason: 'delivery_limit', queue: 'payment', count: 1, time: { '!': 'timestamp', value: 2 ** 60 } }] },
    });
    const ancient = confirmed();
    await park(env, 'payment', 'payment', JSON.stringify(ancient), {
      messageId: ancient.id,
      headers: { 'x-orderly-failed-at': '-200000-01-01T00:00:00Z' },
    });
    const after = confirmed();
    await park(env, 'payment', 'payment', JSON.stringify(after), { messageId: after.id });
    const started = Date.now();
    const rows = await untilRecorded(console, env, 3, '&queue=payment').catch(() => []);
    const mine = rows.filter((r) => [far.id, ancient.id, after.id].includes(r.messageId));
    t.is(mine.length, 3, 'all three recorded');
    for (const r of mine.filter((r) => r.messageId !== after.id))
      t.true(Math.abs(Date.parse(r.failedAt) - started) < 60_000, `${r.messageId}: the time it was taken (${r.failedAt})`);
    await waitFor(async () => ((await dlqDepth('payment')) === 0 ? true : undefined), { what: 'payment.dlq empty' });
    await console.stop();
  },
);

test.serial(
  'when a message over MESSAGE_MAX_BYTES is parked, then the console keeps a 4 KiB preview and its size, says so, and never redrives the preview',
  async (t) => {
    const console = await startConsole(env, cleanups);
    const big = Buffer.alloc(2 * 1024 * 1024, 'x');
    await park(env, 'inventory', 'inventory', big, {
      messageId: 'too-large-1',
      headers: { 'x-orderly-error': 'PermanentError: too large: 2097152 bytes, the limit is 1048576 (MESSAGE_MAX_BYTES)' },
    });
    const row = await waitFor(
      async () => (await untilRecorded(console, env, 1, '&queue=inventory')).find((r) => r.messageId === 'too-large-1'),
      { what: 'the large one recorded' },
    );
    const shown = await api(console, env, `/api/dead-letters/${row.id}`);
    t.like(shown.body, { bodyBytes: 2 * 1024 * 1024, bodyTruncated: true, bodyEncoding: 'utf8' });
    t.is(shown.body.body.length, 4_096);
    t.regex(shown.body.error, /too large/);
    const redrive = await api(console, env, '/api/dead-letters/redrive', { method: 'POST', json: { ids: [row.id] } });
    t.is(redrive.status, 200, JSON.stringify(redrive.body));
    t.is(redrive.body.redriven, 0, 'nothing redriven');
    t.is((await api(console, env, `/api/dead-letters/${row.id}`)).body.status, 'parked');
    await console.stop();
  },
);

test.serial(
  'when a parked message can never be recorded, then the keeper rejects it into the quarantine queue with the broker’s reason, and the rest flow on',
  async (t) => {
    const logger = createLogger('console', (process.env.TEST_LOG_LEVEL as 'info') ?? 'silent');
    const broker = new ConsoleBroker(
      { url: env.amqpUrlFor('console'), mode: 'choreography', connectAttempts: 3 },
      createMetrics('console'),
      logger,
    );
    await broker.start();
    cleanups.add(() => broker.stop());
    const recorded: string[] = [];
    const keeper = new DeadLetterKeeper(
      broker,
      async (_queue, msg) => {
        if (msg.properties.messageId === 'never') throw new UnrecordableError('not even in part: on purpose');
        recorded.push(String(msg.properties.messageId));
        return true;
      },
      { queues: ['customer'], prefetch: 5 },
      logger,
    );
    await keeper.start();
    cleanups.add(() => keeper.stop());
    await park(env, 'customer', 'customer', '{}', { messageId: 'never' });
    await park(env, 'customer', 'customer', '{}', { messageId: 'fine' });
    await waitFor(async () => (recorded.includes('fine') ? true : undefined), { what: 'the next one recorded' });
    const quarantined = await waitFor(
      async () => {
        const got = await drainQueue(env, quarantineQueue);
        return got.length > 0 ? got : undefined;
      },
      { what: `the unrecordable one in ${exchanges.quarantine}` },
    );
    t.is(quarantined[0]!.messageId, 'never');
    const death = (quarantined[0]!.headers['x-death'] as { reason: string; queue: string }[])[0]!;
    t.like(death, { reason: 'rejected', queue: deadLetterQueue('customer') });
    t.is(await dlqDepth('customer'), 0);
  },
);
