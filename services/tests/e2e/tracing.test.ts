import { createTestEnv, operatorHeaders, type TestEnv, waitFor } from '@orderly/platform/testing';
import { customer, OtlpReceiver, type ReceivedSpan, type ServiceProcess, spawnService } from '@orderly/testkit';
import test from 'ava';

const names = ['order', 'inventory', 'payment', 'notification'] as const;
let env: TestEnv;
let receiver: OtlpReceiver;
const services = new Map<string, ServiceProcess>();

test.before(async () => {
  env = await createTestEnv('tracing');
  receiver = await OtlpReceiver.start();
  const otel = {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '100',
    OTEL_TRACES_SAMPLER: 'always_on',
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
  };
  for (const name of names) {
    const vars = { ...env.envFor(name), ...otel, OTEL_SERVICE_NAME: `orderly-${name}`, SEED_DEMO_CATALOGUE: 'true', LOG_LEVEL: 'info' };
    services.set(name, await spawnService(name, vars, { built: true }));
  }
});
test.after.always(async () => {
  for (const s of services.values()) await s.kill('SIGTERM');
  await receiver?.close();
  await env?.cleanup();
});

const url = (name: string, path: string) => `http://127.0.0.1:${services.get(name)!.port}${path}`;

/** Walks from a span up to its root, failing if a parent is missing from the trace. */
function ancestry(span: ReceivedSpan, spans: ReceivedSpan[]): ReceivedSpan[] {
  const chain = [span];
  let current = span;
  while (current.parentSpanId) {
    const parent = spans.find((s) => s.spanId === current.parentSpanId);
    if (!parent) throw new Error(`${current.service} "${current.name}" has a parent ${current.parentSpanId} that is not in the trace`);
    chain.push(parent);
    current = parent;
  }
  return chain;
}

function ancestryComplete(span: ReceivedSpan, spans: ReceivedSpan[]): boolean {
  try {
    ancestry(span, spans);
    return true;
  } catch {
    return false;
  }
}

test('when an order goes through the saga, then it is one trace from the HTTP request through every hop, across the broker and the outbox', async (t) => {
  const res = await fetch(url('order', '/orders'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await operatorHeaders()) },
    body: JSON.stringify({ ...customer(1), items: [{ sku: 'TSHIRT-BLK-M', qty: 1 }] }),
  });
  const { orderId } = (await res.json()) as { orderId: string };
  const root = await waitFor(
    async () => receiver.spans.find((s) => s.service === 'orderly-order' && s.kind === 2 && s.attributes['http.route'] === '/orders'),
    { what: 'the POST /orders server span' },
  );
  // The last hop: the email of the confirmation, sent from the notification table (decision 28) in a span of the same trace.
  const spans = await waitFor(
    async () => {
      const all = receiver.trace(root.traceId);
      // A producer span ends at its confirm, which may come after the consumer already handled the
      // message: wait until every consumer's chain of parents has arrived, not just the last hop.
      const linked = all.filter((s) => s.kind === 5).every((c) => ancestryComplete(c, all));
      const sent = all.find((s) => s.service === 'orderly-notification' && s.name === 'send email');
      return linked && sent && ancestryComplete(sent, all) ? all : undefined;
    },
    { timeoutMs: 20_000, what: `the trace of order ${orderId} to reach the notification service's email, every parent exported` },
  );
  const emailSpan = spans.find((s) => s.name === 'send email')!;
  t.is(ancestry(emailSpan, spans).at(-1)?.spanId, root.spanId, 'the email leads back to the HTTP request');

  const seen = new Set(spans.map((s) => s.service));
  for (const name of names) t.true(seen.has(`orderly-${name}`), `spans from ${name}: ${[...seen].join(', ')}`);

  const consumers = spans.filter((s) => s.kind === 5); // CONSUMER
  t.true(consumers.length >= 5, `consumer spans: ${consumers.map((s) => s.name).join(', ')}`);
  for (const consumer of consumers) {
    const chain = ancestry(consumer, spans);
    t.is(chain.at(-1)?.spanId, root.spanId, `${consumer.name} leads back to the HTTP request`);
    // Across the broker: a consumer's parent is the relay's PRODUCER span for the same message.
    const producer = chain[1]!;
    t.is(producer.kind, 4, `${consumer.name}'s parent is a producer span`);
    t.is(producer.attributes['messaging.message.id'], consumer.attributes['messaging.message.id']);
    // Across the outbox: the producer's parent is the span that wrote the row, in the same service.
    t.is(chain[2]?.service, producer.service, `${producer.name} continues the span that wrote its outbox row`);
  }
  for (const name of ['inventory', 'payment', 'order', 'notification'])
    t.true(
      consumers.some((s) => s.service === `orderly-${name}`),
      `${name} processed a message of the trace`,
    );
  for (const span of spans.filter((s) => s.attributes['messaging.system'] !== undefined))
    t.deepEqual(messagingProblems(span, orderId), [], span.name);
  // No span per SQL statement by default: the statements are counted on the span that ran them.
  t.deepEqual(
    spans.filter((s) => s.attributes['db.system.name'] !== undefined || s.attributes['db.system'] !== undefined).map((s) => s.name),
    [],
    'no statement spans unless ORDERLY_TRACE_STATEMENTS=true',
  );
  const inventory = consumers.find((s) => s.service === 'orderly-inventory');
  t.true(Number(inventory?.attributes['orderly.db.statement_count']) >= 2, 'the inventory handler counts its statements');
  t.true(Number(inventory?.attributes['orderly.db.duration']) > 0, 'and its database time');

  // Personal data stays out of every span of the trace (and of every span received at all).
  const { email } = customer(1);
  const leaking = receiver.spans.filter((s) => JSON.stringify(s.attributes).includes(email));
  t.deepEqual(
    leaking.map((s) => `${s.service} ${s.name}: ${JSON.stringify(s.attributes).slice(0, 200)}`),
    [],
    "no span attribute holds the customer's email",
  );

  // A slow bucket leads to a trace: the completion histogram's exemplar is this order's trace.
  const metrics = await waitFor(async () => {
    const text = await (await fetch(url('order', '/metrics'), { headers: { accept: 'application/openmetrics-text' } })).text();
    return text.includes(`trace_id="${root.traceId}"`) ? text : undefined;
  });
  t.regex(
    metrics,
    new RegExp(`orderly_order_completion_seconds_bucket\\{[^}]*outcome="confirmed"[^}]*\\} 1 # \\{trace_id="${root.traceId}"\\}`),
  );

  // A log line written while handling an event carries that event's trace id.
  const notificationLog = await waitFor(async () =>
    services
      .get('notification')!
      .output()
      .split('\n')
      .find((l: string) => l.includes('"msg":"notification (no SMTP_URL set: logged, not sent)"')),
  );
  const line = JSON.parse(notificationLog) as { trace_id?: string; span_id?: string; email?: string };
  t.is(line.trace_id, root.traceId);
  t.truthy(line.span_id);
});

/**
 * What a messaging span lacks or gets wrong by the OpenTelemetry conventions for RabbitMQ: name
 * `{operation} {destination}`, the required attributes, `exchange:routing key[:queue]`, the
 * delivery tag on a process span, the conversation id (the order's), and no deprecated `publish` operation type.
 */
function messagingProblems(span: ReceivedSpan, orderId: string): string[] {
  const a = span.attributes;
  const problems: string[] = [];
  const operation = span.kind === 4 ? 'send' : span.kind === 5 ? 'process' : undefined;
  if (!operation) return [`kind ${span.kind} is neither PRODUCER nor CONSUMER`];
  const destination = String(a['messaging.destination.name'] ?? '');
  const routingKey = String(a['messaging.rabbitmq.destination.routing_key'] ?? '');
  if (a['messaging.system'] !== 'rabbitmq') problems.push('messaging.system');
  if (a['messaging.operation.name'] !== operation) problems.push(`messaging.operation.name ${a['messaging.operation.name']}`);
  if (a['messaging.operation.type'] !== operation) problems.push(`messaging.operation.type ${a['messaging.operation.type']}`);
  if (span.name !== `${operation} ${destination}`) problems.push(`name ${span.name} for destination ${destination}`);
  // exchange:routing key for a send, exchange:routing key:queue for a process; an empty part is
  // left out, and the queue when it equals the routing key.
  const parts = destination.split(':');
  if (routingKey !== '' && parts[1] !== routingKey) problems.push(`destination ${destination} without its routing key ${routingKey}`);
  const expected = operation === 'send' ? (routingKey === '' ? 1 : 2) : routingKey === '' ? 2 : [2, 3];
  if (![expected].flat().includes(parts.length)) problems.push(`destination ${destination} has ${parts.length} parts`);
  if (typeof a['server.address'] !== 'string' || typeof a['server.port'] !== 'number') problems.push('server.address/server.port');
  if (operation === 'process' && typeof a['messaging.rabbitmq.message.delivery_tag'] !== 'number') problems.push('delivery_tag');
  if (!a['messaging.message.id']) problems.push('messaging.message.id');
  // The conversation (correlation) id is the order's: the relay sends the envelope's subject as the correlation id.
  if (a['messaging.message.conversation_id'] !== orderId)
    problems.push(`messaging.message.conversation_id ${a['messaging.message.conversation_id']} is not the order ${orderId}`);
  return problems;
}
