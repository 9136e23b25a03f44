import { SpanKind } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { retryExchange, retryQueue } from '@orderly/events';
import { waitFor } from '@orderly/platform/testing';
import amqp from 'amqplib';
import test from 'ava';
import { api, confirmed, consoleTestEnv, declareTopology, park, startConsole, untilRecorded } from './helpers.js';

/**
 * A redrive continues the parked message's trace: the console's send span is a child of the
 * context the message was parked with, and the copy carries the send span's context, so the
 * consumer that handles it is one more hop of the order's trace. Real broker and database; the SDK
 * in this process with an in-memory exporter (the console runs in this process).
 */
const exported = new InMemorySpanExporter();
const sdk = new NodeSDK({ spanProcessors: [new SimpleSpanProcessor({ exporter: exported })] });
sdk.start();
const { env, cleanups } = await consoleTestEnv('redrive_trace');
test.after.always(async () => {
  await cleanups.run();
  await sdk.shutdown();
});

test('when a parked message is redriven, then its copy goes out in the message’s own trace, under the console’s send span', async (t) => {
  await declareTopology(env);
  const console = await startConsole(env, cleanups);
  const traceId = 'f'.repeat(8) + crypto.randomUUID().replace(/-/g, '').slice(0, 24);
  const parkedSpanId = '1234567890abcdef';
  const event = confirmed();
  await park(env, 'shipping', 'shipping', JSON.stringify(event), {
    type: event.type,
    messageId: event.id,
    headers: { traceparent: `00-${traceId}-${parkedSpanId}-01` },
  });
  const [row] = await untilRecorded(console, env, 1);
  t.deepEqual((await api(console, env, '/api/dead-letters/redrive', { method: 'POST', json: { ids: [row!.id] } })).body, { redriven: 1 });

  const send = await waitFor(async () =>
    exported.getFinishedSpans().find((s) => s.kind === SpanKind.PRODUCER && s.attributes['messaging.message.id'] === event.id),
  );
  t.is(send.name, `send ${retryExchange('shipping')}:${retryQueue('shipping')}`);
  t.is(send.spanContext().traceId, traceId, 'the order’s trace, not a new one');
  t.is(send.parentSpanContext?.spanId, parkedSpanId);
  t.is(send.attributes['messaging.message.conversation_id'], event.subject, 'the order is the conversation');

  // The copy in shipping's queue (nobody consumes it here) carries the send span as its parent.
  const conn = await amqp.connect(env.amqpUrl);
  cleanups.add(() => conn.close().catch(() => {}));
  const ch = await conn.createChannel();
  const copy = await waitFor(async () => (await ch.get('shipping', { noAck: true })) || undefined, { what: 'the redriven copy' });
  t.is(copy.properties.headers?.traceparent, `00-${traceId}-${send.spanContext().spanId}-01`);
  t.is(copy.properties.correlationId, event.subject);
});
