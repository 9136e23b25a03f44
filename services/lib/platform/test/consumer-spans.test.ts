import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { eventStream, exchanges } from '@orderly/events';
import test from 'ava';
import { startService } from '../src/service.js';
import { consumedCount, createTestEnv, publishRaw, waitFor } from '../src/testing/index.js';
import { confirmedEvent, consumerService, recorder } from './fixture/service.js';

/**
 * A delivery that fails is told apart on its span by the conventions' `error.type`: `retry` while
 * it is sent back to wait, `dead_letter` when it is parked; a handled one has none. Real broker and
 * database; the SDK in this process with an in-memory exporter.
 */
const exported = new InMemorySpanExporter();
let sdk: NodeSDK;
const cleanups: (() => Promise<unknown>)[] = [];
test.before(() => {
  Object.assign(process.env, { OTEL_TRACES_SAMPLER: 'always_on', OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' });
  sdk = new NodeSDK({ spanProcessors: [new SimpleSpanProcessor({ exporter: exported })] });
  sdk.start();
});
test.after.always(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  await sdk?.shutdown();
});

test('when a handler fails, is retried and is finally parked, then each process span says so with error.type, in the order’s conversation', async (t) => {
  const e = await createTestEnv('consumer_spans');
  cleanups.push(() => e.cleanup());
  const { handler } = recorder(() => new Error('payment provider down'));
  const service = await startService(consumerService(handler), { ...e.envFor('audit'), RETRY_MAX_ATTEMPTS: '2' });
  cleanups.push(() => service.stop());
  const event = confirmedEvent();
  await publishRaw(e, exchanges.events, event.type, JSON.stringify(event), {
    type: event.type,
    messageId: event.id,
    correlationId: event.subject,
    as: 'order',
  });
  await waitFor(async () => ((await consumedCount(service, { outcome: 'dead_letter' })) === 1 ? true : undefined));
  const spans = await waitFor(async () => {
    const found = exported
      .getFinishedSpans()
      .filter((s) => s.kind === SpanKind.CONSUMER && s.attributes['messaging.message.id'] === event.id);
    return found.length === 2 ? found : undefined;
  });
  t.deepEqual(
    spans.map((s) => [s.attributes['error.type'], s.status.code]),
    [
      ['retry', SpanStatusCode.ERROR],
      ['dead_letter', SpanStatusCode.ERROR],
    ],
  );
  // The audit reader first meets the event on the stream; its retry comes back through its queue.
  const [first, second] = spans;
  t.is(first?.name, `process ${exchanges.events}:${event.type}:${eventStream}`);
  t.is(second?.name, `process ${exchanges.retry}.audit:audit`);
  t.like(first?.attributes, {
    'messaging.operation.name': 'process',
    'messaging.operation.type': 'process',
    'server.address': '127.0.0.1',
  });
  // The conversation is the order: on the stream reader's span, and on the retry's, whose copy kept the correlation id.
  t.deepEqual(
    spans.map((s) => s.attributes['messaging.message.conversation_id']),
    [event.subject, event.subject],
  );
});
