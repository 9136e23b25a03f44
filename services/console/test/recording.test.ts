import { consumerQueues } from '@orderly/events';
import { createLogger, createMetrics, createPool } from '@orderly/platform';
import { waitFor } from '@orderly/platform/testing';
import amqp from 'amqplib';
import test from 'ava';
import { ConsoleBroker } from '../src/bus/console-broker.js';
import { DeadLetterKeeper } from '../src/bus/dead-letter-keeper.js';
import { describeParked } from '../src/domain/parked-message.js';
import { insertDeadLetter } from '../src/store/dead-letters-store.js';
import { api, confirmed, consoleTestEnv, declareTopology, dlqDepthOf, park, startConsole, untilRecorded } from './helpers.js';

/**
 * Decision 0011: the console's keeper empties every DLQ of the saga mode into its dead_letters
 * table, once per parked message, whichever way it was parked and whatever it holds.
 */
const { env, cleanups } = await consoleTestEnv('recording');
test.after.always(() => cleanups.run());

const dlqDepth = (queue: string) => dlqDepthOf(env, queue);
const rowsOf = async (where: string, values: unknown[] = []) => {
  const pool = createPool(env.databaseUrl, 'console', 1);
  try {
    return (await pool.query(`SELECT * FROM dead_letters WHERE ${where}`, values)).rows;
  } finally {
    await pool.end();
  }
};

test.serial.before(async () => {
  await declareTopology(env, 'choreography', 1);
});

test.serial(
  'when a consumer parks a message, then the console records it once, with what the park said, and the DLQ is left empty',
  async (t) => {
    const console = await startConsole(env, cleanups);
    const event = confirmed();
    await park(env, 'shipping', 'shipping', JSON.stringify(event), { type: event.type, messageId: event.id });
    const [row] = await untilRecorded(console, env, 1, '&queue=shipping');
    t.like(row, {
      queue: 'shipping',
      messageId: event.id,
      type: 'order.confirmed',
      orderId: event.subject,
      error: 'Error: broken on purpose',
      attempts: 3,
      publishedBy: `${env.vhost}.order`,
      status: 'parked',
      redrives: 0,
    });
    await waitFor(async () => ((await dlqDepth('shipping')) === 0 ? true : undefined), { what: 'shipping.dlq empty' });
    const metrics = await (await fetch(console.url('/metrics'))).text();
    t.regex(metrics, /orderly_dead_letters\{[^}]*queue="shipping"[^}]*status="parked"[^}]*\} 1/);
    t.regex(metrics, /orderly_dead_letters_recorded_total\{[^}]*queue="shipping"[^}]*\} 1/);
    await console.stop();
  },
);

test.serial(
  'when the keeper stops between recording a message and acknowledging it, then the redelivery finds its row: one row, not two',
  async (t) => {
    // A keeper of the console's own code whose process "dies" right after the insert: its connection
    // goes before the ack, so the broker delivers the message again.
    const logger = createLogger('console', 'silent');
    const broker = new ConsoleBroker(
      { url: env.amqpUrlFor('console'), mode: 'choreography', connectAttempts: 3 },
      createMetrics('console'),
      logger,
    );
    await broker.start();
    const pool = createPool(env.databaseUrl, 'console', 2);
    cleanups.add(() => pool.end());
    let inserted = 0;
    const dying = new DeadLetterKeeper(
      broker,
      async (queue, msg) => {
        inserted += (await insertDeadLetter(pool, describeParked({ queue, content: msg.content, properties: msg.properties }))) ? 1 : 0;
        await broker.stop();
        return true;
      },
      { queues: ['customer'], prefetch: 1 },
      logger,
    );
    await dying.start();
    const event = confirmed();
    await park(env, 'customer', 'customer', JSON.stringify(event), { type: event.type, messageId: event.id });
    await waitFor(async () => (inserted === 1 ? true : undefined), { what: 'the dying keeper inserted the row' });
    await dying.stop();
    t.is(await dlqDepth('customer'), 1, 'the message went back to its DLQ unacknowledged');

    const console = await startConsole(env, cleanups);
    await waitFor(async () => ((await dlqDepth('customer')) === 0 ? true : undefined), { what: 'customer.dlq empty' });
    t.is((await rowsOf('queue = $1', ['customer'])).length, 1);
    const metrics = await (await fetch(console.url('/metrics'))).text();
    t.notRegex(metrics, /orderly_dead_letters_recorded_total\{[^}]*queue="customer"/, 'the redelivery was not counted as a new park');
    await console.stop();
  },
);

test.serial(
  'when the broker dead-letters a message at its delivery limit, then it is recorded with the broker’s reason and the verified publisher',
  async (t) => {
    const console = await startConsole(env, cleanups);
    // A consumer that keeps crashing on it: delivered, returned, past the limit (1 here) the broker parks it.
    // (shipping's queue: the readers that only record take events from the stream, not a queue.)
    const event = confirmed();
    const conn = await amqp.connect(env.amqpUrlFor('order'));
    cleanups.add(() => conn.close().catch(() => {}));
    const ch = await conn.createConfirmChannel();
    ch.publish('orderly.events', 'order.confirmed', Buffer.from(JSON.stringify(event)), {
      messageId: event.id,
      type: event.type,
      userId: `${env.vhost}.order`,
      persistent: true,
      // What a publisher may claim is not believed on this path.
      headers: {
        'x-orderly-failed-at': '2001-01-01T00:00:00Z',
        'x-orderly-published-by': `${env.vhost}.payment`,
        'x-orderly-attempts': 99,
      },
    });
    await ch.waitForConfirms();
    const [row] = await waitFor(
      async () => {
        const msg = await ch.get('shipping', { noAck: false });
        if (msg) ch.nack(msg, false, true);
        const found = await api(console, env, '/api/dead-letters?queue=shipping');
        const mine = found.body.items.filter((i: { messageId: string }) => i.messageId === event.id);
        return mine.length > 0 ? mine : undefined;
      },
      { what: 'the message dead-lettered by the broker and recorded' },
    );
    t.like(row, { messageId: event.id, publishedBy: `${env.vhost}.order`, attempts: null, status: 'parked' });
    t.regex(row!.error, /^dead-lettered by the broker: delivery_limit in shipping/);
    t.true(Date.parse(row!.failedAt) > Date.now() - 60_000, 'the broker’s time, not the claimed one');
    await console.stop();
  },
);

test.serial(
  'when a parked message is not JSON, not UTF-8, or carries hostile headers and properties, then it is recorded all the same, bytes intact',
  async (t) => {
    const console = await startConsole(env, cleanups);
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x41, 0xc3]);
    await park(env, 'audit', 'audit', bytes, {
      type: 'evil\u0000type\ud800',
      headers: {
        'x-orderly-error': 'bad \u0000 error \ud800',
        'x-table': { nested: { deeper: [1, 'two', true] } },
        'x-bytes': Buffer.from([1, 2]),
      },
    });
    await park(env, 'audit', 'audit', '{"not": "an envelope"');
    const rows = await untilRecorded(console, env, 2, '&queue=audit');
    const binary = rows.find((r) => r.type !== null)!;
    t.is(binary.type, 'evil\uFFFDtype\uFFFD');
    t.is(binary.error, 'bad \uFFFD error \uFFFD');
    t.is(binary.orderId, null);
    const shown = await api(console, env, `/api/dead-letters/${binary.id}`);
    t.is(shown.status, 200);
    t.is(shown.body.bodyEncoding, 'base64');
    t.deepEqual(Buffer.from(shown.body.body, 'base64'), bytes);
    t.deepEqual(shown.body.headers['x-table'], { nested: { deeper: [1, 'two', true] } });
    t.deepEqual(shown.body.headers['x-bytes'], { bytes: 'AQI=' });
    const text = rows.find((r) => r.type === null)!;
    const shownText = await api(console, env, `/api/dead-letters/${text.id}`);
    t.like(shownText.body, { body: '{"not": "an envelope"', bodyEncoding: 'utf8', error: 'Error: broken on purpose' });
    await console.stop();
  },
);

test.serial('when the console starts, then it empties every DLQ of the saga mode it runs in', async (t) => {
  const queues = consumerQueues('orchestration');
  await declareTopology(env, 'orchestration', 1);
  for (const { queue, service } of queues) await park(env, queue, service, JSON.stringify(confirmed()));
  const console = await startConsole(env, cleanups, { SAGA_MODE: 'orchestration' });
  for (const { queue } of queues)
    await waitFor(async () => ((await dlqDepth(queue)) === 0 ? true : undefined), { what: `${queue}.dlq empty` });
  const recorded = new Set((await rowsOf('true')).map((r) => r.queue));
  t.deepEqual(
    queues.map((q) => q.queue).filter((q) => !recorded.has(q)),
    [],
  );
  await console.stop();
});

test.serial(
  'when the console starts before the topology exists, then it is not ready, and records once the DLQs are declared',
  async (t) => {
    const fresh = await consoleTestEnv('recording_early');
    cleanups.add(() => fresh.cleanups.run());
    const early = await startConsole(fresh.env, fresh.cleanups);
    t.is((await fetch(early.url('/readyz'))).status, 503);
    await declareTopology(fresh.env);
    await waitFor(async () => ((await fetch(early.url('/readyz'))).status === 200 ? true : undefined), {
      what: 'the console ready',
      timeoutMs: 30_000,
    });
    // Before anything is parked, the parked-messages alert reads a 0, not an absent series.
    const before = await (await fetch(early.url('/metrics'))).text();
    t.regex(before, /^orderly_dead_letters\{status="parked",service="[^"]+"\} 0$/m);
    await park(fresh.env, 'order', 'order', JSON.stringify(confirmed()));
    t.is((await untilRecorded(early, fresh.env, 1)).length, 1);
  },
);
