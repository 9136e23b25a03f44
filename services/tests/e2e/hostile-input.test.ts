import { randomUUID } from 'node:crypto';
import { consumerQueues, deadLetterQueue, exchanges, messages, retryQueue, servicePorts } from '@orderly/events';
import { consumedCount, drainQueue, headerBomb, publishRawHeaders, waitFor } from '@orderly/platform/testing';
import { customer, type ServiceName, Stack } from '@orderly/testkit';
import amqp from 'amqplib';
import test from 'ava';
import fc from 'fast-check';
import { body, encodeAny, headerValue, hostileString, messageFor, pathPart, routes, typesOf, wire } from './suites/hostile-values.js';

/**
 * The hostile-input suite: generated JSON, strings (lone surrogates, control characters,
 * huge, any Unicode), numbers (negative, fractional, huge, NaN-ish strings), headers and envelopes
 * thrown at every HTTP route of every service (with valid customer and operator tokens) and at
 * every consumer queue through the real broker. Each input must be accepted and processed, or
 * refused with a 4xx / parked in the queue's DLQ with its reason — never a 500, a lost or stuck
 * message, or a service that stops handling a normal order afterwards.
 *
 * Bounded: a fixed seed (FUZZ_SEED to replay another), a fixed number of runs (FUZZ_HTTP_RUNS,
 * FUZZ_MESSAGES_PER_QUEUE), about 30 s on the 2-core machine.
 */
const seed = Number(process.env.FUZZ_SEED ?? 140_014);
const httpRuns = Number(process.env.FUZZ_HTTP_RUNS ?? 300);
const perQueue = Number(process.env.FUZZ_MESSAGES_PER_QUEUE ?? 20);
const mode = 'choreography' as const;

let stack: Stack;
test.before(async () => {
  stack = await Stack.create('hostile-input', { SAGA_MODE: mode, RETRY_MAX_ATTEMPTS: '3', NOT_YET_MAX_WAIT_MS: '5000' });
  await stack.start();
});
test.after.always(async () => {
  await stack?.dispose();
});

// ---------------------------------------------------------------------------------------------
// HTTP

test.serial(
  'when any route of any service gets generated paths, queries, bodies and headers, then it answers 2xx or 4xx, never 5xx',
  async (t) => {
    t.timeout(60_000);
    t.log(`seed ${seed}, ${httpRuns} requests (FUZZ_SEED=${seed} replays them)`);
    const all = await routes(stack);
    t.true(all.length >= 15, `${all.length} routes from the services' OpenAPI documents`);
    const tokens = { customer: await stack.identity.customerToken('C100'), operator: await stack.identity.operatorToken() };
    const request = fc.record({
      route: fc.constantFrom(...all),
      params: fc.array(pathPart, { minLength: 4, maxLength: 4 }),
      query: fc.array(
        fc.tuple(
          fc.oneof(
            fc.constantFrom('customerId', 'orderId', 'from', 'to', 'limit', '__proto__'),
            hostileString.filter((s) => s.length < 200),
          ),
          pathPart,
        ),
        {
          maxLength: 3,
        },
      ),
      body,
      caller: fc.constantFrom('customer', 'operator'),
      contentType: fc.oneof(
        fc.constant('application/json'),
        fc.constantFrom('text/plain', 'application/json; charset=latin1', 'multipart/form-data', ''),
      ),
      idempotencyKey: fc.option(headerValue),
      extraHeader: fc.option(
        fc.tuple(fc.constantFrom('x-orderly-attempt', 'traceparent', 'accept', 'accept-encoding', 'content-encoding'), headerValue),
      ),
    });
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        let path = r.route.path;
        r.route.params.forEach((p, i) => {
          path = path.replace(new RegExp(`\\{${p}\\}|:${p}`), r.params[i]!);
        });
        const query = r.route.query.length || r.query.length ? `?${r.query.map(([k, v]) => `${encodeAny(k)}=${v}`).join('&')}` : '';
        const headers: Record<string, string> = { authorization: `Bearer ${tokens[r.caller as 'customer' | 'operator']}` };
        if (r.contentType) headers['content-type'] = r.contentType;
        if (r.idempotencyKey !== null) headers['idempotency-key'] = r.idempotencyKey;
        if (r.extraHeader) headers[r.extraHeader[0]] = r.extraHeader[1];
        const hasBody = !['GET', 'HEAD'].includes(r.route.method);
        const res = await fetch(stack.url(r.route.service, `${path}${query}`), {
          method: r.route.method,
          headers,
          ...(hasBody ? { body: r.body } : {}),
        });
        const text = await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status >= 500) throw new Error(`${r.route.method} ${r.route.service} ${path}${query}: ${res.status} ${text.slice(0, 300)}`);
      }),
      { seed, numRuns: httpRuns, endOnFailure: true },
    );
    t.log(
      `answers: ${[...statuses]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s}×${n}`)
        .join(' ')}`,
    );
    t.true(
      [...statuses.keys()].some((s) => s < 300),
      'some inputs were accepted',
    );
  },
);

// ---------------------------------------------------------------------------------------------
// Broker

const terminal = async (service: ServiceName, queue: string) => {
  const s = stack.services.get(service)!;
  return (
    (await consumedCount(s, { queue, outcome: 'ack' })) +
    (await consumedCount(s, { queue, outcome: 'duplicate' })) +
    (await consumedCount(s, { queue, outcome: 'dead_letter' }))
  );
};

test.serial(
  'when every consumer queue gets generated envelopes, bodies, properties and headers, then each is handled or parked with its reason, and the services still work',
  async (t) => {
    t.timeout(90_000);
    const queues = consumerQueues(mode);
    t.log(`seed ${seed}, ${perQueue} messages into each of ${queues.length} queues (${queues.map((q) => q.queue).join(', ')})`);
    const before = new Map<string, { terminal: number; parked: number }>();
    for (const q of queues) {
      const s = stack.services.get(q.service as ServiceName)!;
      before.set(q.queue, {
        terminal: await terminal(q.service as ServiceName, q.queue),
        parked: await consumedCount(s, { queue: q.queue, outcome: 'dead_letter' }),
      });
    }
    // Straight into each queue (the default exchange), so that each message has one consumer to account for.
    const conns = new Map<string | undefined, { model: amqp.ChannelModel; ch: amqp.ConfirmChannel }>();
    const channel = async (as: string | undefined) => {
      if (!conns.has(as)) {
        const model = await amqp.connect(as ? stack.env.amqpUrlFor(as) : stack.env.amqpUrl);
        model.on('error', (err) => console.error(`publisher as ${as}: ${err.message}`));
        conns.set(as, { model, ch: await model.createConfirmChannel() });
      }
      return conns.get(as)!.ch;
    };
    const sent = new Map<string, number>();
    try {
      for (const [i, q] of queues.entries()) {
        const samples = fc.sample(messageFor(typesOf(q.queue, q.subscriptions)), { seed: seed + i, numRuns: perQueue });
        for (const m of samples) {
          const ch = await channel(m.as);
          const userId = m.as ? decodeURIComponent(new URL(stack.env.amqpUrlFor(m.as)).username) : undefined;
          ch.publish('', q.queue, m.content, {
            persistent: true,
            headers: wire(m.headers) as Record<string, unknown>,
            ...(m.type === undefined ? {} : { type: m.type }),
            ...(m.messageId === undefined ? {} : { messageId: m.messageId }),
            ...(userId ? { userId } : {}),
          });
        }
        await Promise.all([...conns.values()].map(({ ch }) => ch.waitForConfirms()));
        sent.set(q.queue, samples.length);
      }
    } finally {
      for (const { model } of conns.values()) await model.close().catch(() => {});
    }

    // Every message reaches an end (handled, a duplicate, or parked); none is lost or left in a queue.
    for (const q of queues) {
      await waitFor(
        async () =>
          (await terminal(q.service as ServiceName, q.queue)) - before.get(q.queue)!.terminal >= sent.get(q.queue)! ? true : undefined,
        {
          timeoutMs: 45_000,
          what: `${sent.get(q.queue)} messages in ${q.queue} handled or parked`,
        },
      );
    }
    const admin = await amqp.connect(stack.env.amqpUrl);
    try {
      const ch = await admin.createChannel();
      for (const q of queues) {
        const s = stack.services.get(q.service as ServiceName)!;
        // What the fuzzed messages made the services emit may still be on its way: until both settle,
        // every message the consumer dead-lettered (its metric) must turn up in the DLQ, and no other.
        const parked: Awaited<ReturnType<typeof drainQueue>> = [];
        let counted = 0;
        await waitFor(
          async () => {
            parked.push(...(await drainQueue(stack.env, deadLetterQueue(q.queue))));
            counted = (await consumedCount(s, { queue: q.queue, outcome: 'dead_letter' })) - before.get(q.queue)!.parked;
            const waiting = (await ch.checkQueue(retryQueue(q.queue))).messageCount + (await ch.checkQueue(q.queue)).messageCount;
            return parked.length === counted && waiting === 0 ? true : undefined;
          },
          { timeoutMs: 30_000, intervalMs: 500, what: `${q.queue}: DLQ and dead-letter count agree, nothing waiting` },
        ).catch(() => undefined);
        t.is(parked.length, counted, `${q.queue}: every dead-lettered message is in ${deadLetterQueue(q.queue)}, and only those`);
        for (const m of parked) t.truthy(m.headers['x-orderly-error'], `${q.queue}: a parked message says why`);
        t.is((await ch.checkQueue(retryQueue(q.queue))).messageCount, 0, `${q.queue}: nothing left waiting for a retry`);
        t.is((await ch.checkQueue(q.queue)).messageCount, 0, `${q.queue}: nothing left in the queue`);
      }
    } finally {
      await admin.close();
    }

    // The broker still dead-letters: a malformed x-death copied onto a retry crashed RabbitMQ 3.10's
    // dead-letter worker until its supervisor gave up, and then no quorum queue with a
    // dead-letter exchange could even be declared (INTERNAL_ERROR).
    const probe = await amqp.connect(stack.env.amqpUrl);
    try {
      const ch = await probe.createChannel();
      const name = `fuzz-probe-${randomUUID()}`;
      await ch.assertQueue(name, {
        durable: true,
        arguments: {
          'x-queue-type': 'quorum',
          'x-dead-letter-exchange': exchanges.dlx,
          'x-dead-letter-strategy': 'at-least-once',
          'x-overflow': 'reject-publish',
        },
      });
      await ch.deleteQueue(name);
    } finally {
      await probe.close();
    }

    // The services still work: each is ready, and a normal order goes all the way.
    for (const name of Object.keys(servicePorts) as ServiceName[]) t.is((await stack.http(name, '/readyz')).status, 200, `${name} ready`);
    const c = stack.asCustomer('C100');
    const placed = await c.placeOrder({ ...customer(100), items: [{ sku: 'TSHIRT-BLK-M', qty: 1 }] });
    t.is(placed.status, 202, JSON.stringify(placed.body));
    const order = await c.orderReaches(placed.body.orderId, ['CONFIRMED', 'SHIPPED', 'DELIVERED'], 30_000);
    t.is(order.totalCents, 1999);
  },
);

test.serial(
  'when a header bomb and a message over MESSAGE_MAX_BYTES reach every consumer queue, then each is parked with its reason, no broker connection drops, and an order still goes through',
  async (t) => {
    t.timeout(90_000);
    const queues = consumerQueues(mode);
    const disconnects = async () => {
      let n = 0;
      for (const s of stack.services.values())
        n += (await s.metrics.brokerConnections.get()).values
          .filter((v) => v.labels.event === 'disconnect')
          .reduce((a, v) => a + v.value, 0);
      return n;
    };
    const lostBefore = await disconnects();
    const parkedBefore = new Map<string, number>();
    for (const q of queues)
      parkedBefore.set(
        q.queue,
        await consumedCount(stack.services.get(q.service as ServiceName)!, { queue: q.queue, outcome: 'dead_letter' }),
      );
    const large = Buffer.alloc(1_048_577, 0x20); // 1 MiB of spaces and one more byte: over the default limit
    for (const q of queues) {
      await publishRawHeaders(stack.env, '', q.queue, Buffer.from('{}'), headerBomb(5_000), { messageId: `bomb-${q.queue}` });
      await publishRawHeaders(stack.env, '', q.queue, large, Buffer.alloc(0), { messageId: `large-${q.queue}` });
    }
    for (const q of queues) {
      const s = stack.services.get(q.service as ServiceName)!;
      await waitFor(
        async () =>
          (await consumedCount(s, { queue: q.queue, outcome: 'dead_letter' })) - parkedBefore.get(q.queue)! >= 2 ? true : undefined,
        { timeoutMs: 30_000, what: `${q.queue}: the bomb and the large one parked` },
      );
      const parked = await drainQueue(stack.env, deadLetterQueue(q.queue));
      const reasonOf = (id: string) => String(parked.find((m) => m.messageId === id)?.headers['x-orderly-error']);
      t.regex(reasonOf(`bomb-${q.queue}`), /headers not decodable: tables nested deeper than 64/, `${q.queue}: the bomb says why`);
      t.regex(reasonOf(`large-${q.queue}`), /too large: 1048577 bytes/, `${q.queue}: the large one says why`);
    }
    t.is((await disconnects()) - lostBefore, 0, 'no service lost a broker connection');
    const c = stack.asCustomer('C100');
    const placed = await c.placeOrder({ ...customer(100), items: [{ sku: 'TSHIRT-BLK-M', qty: 1 }] });
    t.is(placed.status, 202, JSON.stringify(placed.body));
    await c.orderReaches(placed.body.orderId, ['CONFIRMED', 'SHIPPED', 'DELIVERED'], 30_000);
  },
);

test.serial('when a request carries a lone surrogate or a NUL, then it is a 400 naming the field, not a 500', async (t) => {
  const c = stack.asCustomer('C100');
  const line = (sku: string) => ({ ...customer(100), items: [{ sku, qty: 1 }] });
  for (const [body, field] of [
    [line('\ud800'), 'items.0.sku'],
    [line('TSHIRT\u0000'), 'items.0.sku'],
    [{ ...line('TSHIRT-BLK-M'), paymentMethod: 'pm_\udfff' }, 'paymentMethod'],
  ] as const) {
    const res = await c.placeOrder(body);
    t.is(res.status, 400, JSON.stringify(res.body));
    t.true(
      (res.body['invalid-params'] as { name: string }[]).some((p) => p.name.replace(/\[(\d+)\]/g, '.$1') === field),
      `${field} named: ${JSON.stringify(res.body)}`,
    );
  }
  for (const [service, path] of [
    ['order', '/orders/abc%00'],
    ['order', '/orders/%ED%A0%80'],
    ['order', '/orders?customerId=C100%00'],
    ['inventory', '/products/TSHIRT%00'],
    ['customer', '/customers/C100%00'],
    ['audit', '/orders/x%00/events'],
  ] as const) {
    const res = await stack.http(service, path);
    t.is(res.status, 400, `${service} ${path}: ${JSON.stringify(res.body)}`);
  }
});

test.serial('when /docs/__proto__ or /docs/constructor is asked for, then every service answers 404', async (t) => {
  for (const name of Object.keys(servicePorts) as ServiceName[]) {
    for (const asset of ['__proto__', 'constructor', 'hasOwnProperty', 'toString']) {
      const res = await fetch(stack.url(name, `/docs/${asset}`));
      t.is(res.status, 404, `${name} /docs/${asset}`);
    }
    t.is((await fetch(stack.url(name, '/docs/swagger-ui.css'))).status, 200, `${name} still serves its assets`);
  }
});

test.serial('when messages carry any type property or source, then metric labels stay within the catalog', async (t) => {
  // Runs after the barrage above, which sent types and sources of every kind.
  const known = new Set<string>([...Object.keys(messages), 'other']);
  const services = new Set(Object.keys(servicePorts));
  for (const [name, s] of stack.services) {
    const consumed = await s.metrics.consumed.get();
    for (const v of consumed.values) t.true(known.has(String(v.labels.type)), `${name}: type label ${JSON.stringify(v.labels.type)}`);
    const hops = await s.metrics.hopLatency.get();
    for (const v of hops.values.filter((v) => v.labels.from !== undefined))
      t.true(services.has(String(v.labels.from)), `${name}: from label ${JSON.stringify(v.labels.from)}`);
  }
  const all = await Promise.all([...stack.services.values()].map(async (s) => (await s.metrics.consumed.get()).values));
  t.true(
    all.flat().some((v) => v.labels.type === 'other'),
    'the barrage produced unknown types, counted as other',
  );
});
