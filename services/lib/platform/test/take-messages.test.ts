import test from 'ava';
import { createTestEnv, takeMessages, toolConnection } from '../src/testing/index.js';

/**
 * Tests wait for parked messages by taking them from a dead-letter queue. Taking is destructive, so
 * a wait for two messages that polls between the first and the second parking must keep the first.
 */
test('when messages arrive on either side of a poll, then waiting for n of them returns all n', async (t) => {
  const e = await createTestEnv('take_messages');
  t.teardown(() => e.cleanup());
  const conn = await toolConnection(e.amqpUrl);
  t.teardown(() => conn.close());
  const ch = await conn.createConfirmChannel();
  await ch.assertQueue('parked', { durable: false });
  const send = async (id: string) => {
    ch.sendToQueue('parked', Buffer.from('{}'), { messageId: id });
    await ch.waitForConfirms();
  };
  await send('first');
  const waiting = takeMessages(e, 'parked', 2, { timeoutMs: 5_000 });
  // Long enough for several polls (every 50 ms) to take the first message alone.
  await new Promise((r) => setTimeout(r, 500));
  await send('second');
  const taken = await waiting;
  t.deepEqual(
    taken.map((m) => m.messageId),
    ['first', 'second'],
  );
});
