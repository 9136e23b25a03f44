import { context, propagation } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { operatorHeaders } from '@orderly/platform/testing';
import test from 'ava';
import { consumed, message, publishMessage, startAudit, untilConsumed } from './helpers.js';

// What the OpenTelemetry SDK sets up in a running service: the trace context travels in the AMQP
// headers and the consumer's span is active in the handler. No spans are exported.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());

const cleanups: (() => Promise<void>)[] = [];
test.after.always(async () => {
  for (const c of cleanups.reverse()) await c();
});

const at = (ms: number) => new Date(Date.UTC(2025, 0, 31, 12, 0, 0, ms)).toISOString();

test('when every event and command is published twice, then each is kept exactly once with what the log needs', async (t) => {
  const { env, service } = await startAudit('once', cleanups);
  const orderId = crypto.randomUUID();
  const customer = { customerId: 'cust-1', email: 'c@example.com' };
  const placed = message('order', 'order.placed', orderId, { orderId, ...customer, items: [{ sku: 'BOOK-ALICE', qty: 1 }] });
  const reserve = message('order', 'inventory.reserve', orderId, { orderId, items: [{ sku: 'BOOK-ALICE', qty: 1 }] }, placed);
  const reserved = message(
    'inventory',
    'inventory.reserved',
    orderId,
    { orderId, lines: [{ sku: 'BOOK-ALICE', qty: 1, unitPriceCents: 1299 }], totalCents: 1299, currency: 'EUR' },
    reserve,
  );
  const charge = message('order', 'payment.charge', orderId, { orderId, totalCents: 1299, currency: 'EUR' }, reserved);
  const all = [placed, reserve, reserved, charge];
  for (const m of [...all, ...all]) await publishMessage(env, m);
  await untilConsumed(service, 2 * all.length);

  // The log reads the event stream without an inbox: the event id, its key, absorbs the copies.
  t.is((await consumed(service, 'ack')) + (await consumed(service, 'duplicate')), 2 * all.length);
  const { rows } = await service.db.pool.query(
    `SELECT event_id AS id, type, kind, order_id AS "orderId", source, time, causation_id AS "causationId", trace_id AS "traceId", payload
       FROM activity ORDER BY event_id`,
  );
  t.deepEqual(
    rows,
    [...all]
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((m) => ({
        id: m.id,
        type: m.type,
        kind: { 'order.placed': 'event', 'inventory.reserve': 'command', 'inventory.reserved': 'event', 'payment.charge': 'command' }[
          m.type
        ],
        orderId,
        source: m.source.replace('orderly/', ''),
        time: new Date(m.time),
        causationId: m.causationid ?? null,
        traceId: null,
        payload: m.data,
      })),
  );
});

test('when a message carries a W3C trace context, then its trace id is kept; without one, none is', async (t) => {
  const { env, service } = await startAudit('trace', cleanups);
  const orderId = crypto.randomUUID();
  const traced = message('payment', 'payment.failed', orderId, { orderId, reason: 'payment_declined', amountCents: 100 });
  const untraced = message('inventory', 'inventory.released', orderId, { orderId, lines: [] }, traced);
  await publishMessage(env, traced, { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
  await publishMessage(env, untraced);
  await untilConsumed(service, 2);
  const { rows } = await service.db.pool.query('SELECT event_id, trace_id FROM activity');
  t.deepEqual(Object.fromEntries(rows.map((r) => [r.event_id, r.trace_id])), {
    [traced.id]: '4bf92f3577b34da6a3ce929d0e0e4736',
    [untraced.id]: null,
  });
});

test('when an order has travelled through the services, then its timeline lists every hop in causal order with the time between hops', async (t) => {
  const { env, service, url } = await startAudit('timeline', cleanups);
  const orderId = crypto.randomUUID();
  const customer = { customerId: 'cust-2', email: 'd@example.com' };
  const placed = message(
    'order',
    'order.placed',
    orderId,
    { orderId, ...customer, items: [{ sku: 'LAPTOP-123', qty: 1 }] },
    undefined,
    at(0),
  );
  const reserved = message(
    'inventory',
    'inventory.reserved',
    orderId,
    { orderId, lines: [{ sku: 'LAPTOP-123', qty: 1, unitPriceCents: 129_900 }], totalCents: 129_900, currency: 'EUR' },
    placed,
    at(40),
  );
  // The payment service's clock is behind: by time alone its reply would come before the reservation.
  const paid = message(
    'payment',
    'payment.completed',
    orderId,
    { orderId, paymentId: crypto.randomUUID(), amountCents: 129_900, currency: 'EUR' },
    reserved,
    at(25),
  );
  const confirmed = message(
    'order',
    'order.confirmed',
    orderId,
    { orderId, ...customer, totalCents: 129_900, currency: 'EUR' },
    paid,
    at(90),
  );
  const committed = message('inventory', 'inventory.committed', orderId, { orderId, lines: [{ sku: 'LAPTOP-123', qty: 1 }] }, paid, at(70));
  const other = crypto.randomUUID();
  const elsewhere = message(
    'order',
    'order.placed',
    other,
    { orderId: other, ...customer, items: [{ sku: 'BOOK-ALICE', qty: 1 }] },
    undefined,
    at(5),
  );
  for (const m of [confirmed, committed, paid, elsewhere, reserved, placed]) await publishMessage(env, m, {});
  await untilConsumed(service, 6);

  const res = await fetch(url(`/orders/${orderId}/events`), { headers: await operatorHeaders() });
  t.is(res.status, 200);
  const timeline = (await res.json()) as Record<string, unknown>[];
  t.deepEqual(
    timeline.map((h) => [h.type, h.sincePreviousMs]),
    [
      ['order.placed', null],
      ['inventory.reserved', 40],
      ['payment.completed', -15],
      ['inventory.committed', 45],
      ['order.confirmed', 20],
    ],
  );
  t.deepEqual(timeline[2], {
    id: paid.id,
    type: 'payment.completed',
    kind: 'event',
    source: 'payment',
    time: at(25),
    traceId: null,
    causationId: reserved.id,
    data: paid.data,
    sincePreviousMs: -15,
  });
});

test('when an order has no events, then its timeline is a 404 problem; a malformed id is a 400 problem', async (t) => {
  const { url } = await startAudit('missing', cleanups);
  const missing = await fetch(url(`/orders/${crypto.randomUUID()}/events`), { headers: await operatorHeaders() });
  t.is(missing.status, 404);
  t.regex(missing.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const malformed = await fetch(url('/orders/not-an-id/events'), { headers: await operatorHeaders() });
  t.is(malformed.status, 400);
  t.like(await malformed.json(), { 'invalid-params': [{ name: 'id' }] });
});
