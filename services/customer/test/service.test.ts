import { type EventData, newEnvelope } from '@orderly/events';
import type { RunningService } from '@orderly/platform';
import {
  cleanupList,
  createTestEnv,
  operatorHeaders,
  publishEnvelope,
  startTestService,
  type TestEnv,
  untilConsumed as untilConsumedBy,
} from '@orderly/platform/testing';
import test from 'ava';
import type { OrderEventType } from '../src/domain/history.js';
import { definition } from '../src/service.js';

type Service = RunningService<unknown>;
const cleanups = cleanupList();
test.after.always(() => cleanups.run());

/** Its own vhost, database and service instance, so message counts belong to one test. */
async function startCustomer(name: string): Promise<{ env: TestEnv; service: Service; url: (path: string) => string }> {
  const env = await createTestEnv(`customer_${name}`);
  cleanups.add(() => env.cleanup());
  const service = await startTestService(definition, env, cleanups);
  return { env, service, url: (path) => `http://127.0.0.1:${service.port}${path}` };
}

const at = (minute: number) => new Date(Date.UTC(2025, 0, 31, 12, minute)).toISOString();

/** Publishes an order event as the order service would, with a chosen time; returns the envelope. */
async function publish<T extends OrderEventType>(env: TestEnv, type: T, data: EventData<T>, time: string) {
  const envelope = { ...newEnvelope('order', type, data.orderId, data), time };
  await publishEnvelope(env, envelope);
  return envelope;
}
const untilConsumed = (service: Service, n: number) => untilConsumedBy(service, n, { queue: 'customer' });

const getJson = async (url: string) => {
  const res = await fetch(url, { headers: await operatorHeaders() });
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as Record<string, unknown> };
};
const send = async (method: string, url: string, body: unknown) => {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(await operatorHeaders()) },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    location: res.headers.get('location'),
    body: (await res.json()) as Record<string, unknown>,
  };
};

const customer = (customerId: string) => ({ customerId, email: `${customerId}@example.com` });
const items = [{ sku: 'TSHIRT-BLK-M', qty: 2 }];

test('when an unknown customer places an order, then a profile is created and the order is in their history as PENDING', async (t) => {
  const { env, service, url } = await startCustomer('placed');
  const orderId = crypto.randomUUID();
  await publish(env, 'order.placed', { orderId, ...customer('ada'), items }, at(0));
  await untilConsumed(service, 1);
  const profile = await getJson(url('/customers/ada'));
  t.is(profile.status, 200);
  t.like(profile.body, { customerId: 'ada', email: 'ada@example.com' });
  const history = await getJson(url('/customers/ada/orders'));
  t.deepEqual(history.body, [{ orderId, status: 'PENDING', placedAt: at(0), updatedAt: at(0) }]);
});

test('when the order is then confirmed, then the history shows CONFIRMED with the total and currency', async (t) => {
  const { env, service, url } = await startCustomer('confirmed');
  const orderId = crypto.randomUUID();
  await publish(env, 'order.placed', { orderId, ...customer('bob'), items }, at(0));
  await untilConsumed(service, 1);
  await publish(env, 'order.confirmed', { orderId, ...customer('bob'), totalCents: 3998, currency: 'EUR' }, at(1));
  await untilConsumed(service, 2);
  t.deepEqual((await getJson(url('/customers/bob/orders'))).body, [
    { orderId, status: 'CONFIRMED', totalCents: 3998, currency: 'EUR', placedAt: at(0), updatedAt: at(1) },
  ]);
});

test('when order events arrive out of order and twice, then the history ends in the right state', async (t) => {
  const { env, service, url } = await startCustomer('disorder');
  const [delivered, rejected] = [crypto.randomUUID(), crypto.randomUUID()];
  const c = customer('cy');
  const placed = { ...newEnvelope('order', 'order.placed', delivered, { orderId: delivered, ...c, items }), time: at(0) };
  // Everything arrives backwards, and the placed event twice (a redelivery keeps its id).
  await publish(env, 'order.delivered', { orderId: delivered, ...c }, at(3));
  await publish(env, 'order.shipped', { orderId: delivered, ...c, carrier: 'DHL', trackingNumber: 'T1' }, at(2));
  await publishEnvelope(env, placed);
  await publish(env, 'order.confirmed', { orderId: delivered, ...c, totalCents: 1999, currency: 'EUR' }, at(1));
  await publishEnvelope(env, placed);
  // A rejected order whose placed arrives last: the rejection stands.
  await publish(env, 'order.rejected', { orderId: rejected, ...c, reason: 'out_of_stock' }, at(11));
  await publish(env, 'order.placed', { orderId: rejected, ...c, items }, at(10));
  await untilConsumed(service, 7);
  t.deepEqual((await getJson(url('/customers/cy/orders'))).body, [
    { orderId: rejected, status: 'REJECTED', reason: 'out_of_stock', placedAt: at(10), updatedAt: at(11) },
    { orderId: delivered, status: 'DELIVERED', totalCents: 1999, currency: 'EUR', placedAt: at(0), updatedAt: at(3) },
  ]);
  const { rows } = await service.db.pool.query('SELECT count(*)::int AS n FROM customer_orders');
  t.is(rows[0].n, 2, 'one history row per order, whatever arrived first');
});

test('when many events of one new order arrive at once, then they fold into one row without a failed delivery', async (t) => {
  const { env, service, url } = await startCustomer('burst');
  const orderId = crypto.randomUUID();
  const c = customer('dee');
  await Promise.all([
    publish(env, 'order.placed', { orderId, ...c, items }, at(0)),
    publish(env, 'order.confirmed', { orderId, ...c, totalCents: 500, currency: 'EUR' }, at(1)),
    publish(env, 'order.shipped', { orderId, ...c, carrier: 'DHL', trackingNumber: 'T2' }, at(2)),
  ]);
  await untilConsumed(service, 3);
  t.like((await getJson(url('/customers/dee/orders'))).body, [{ orderId, status: 'SHIPPED', totalCents: 500, placedAt: at(0) }]);
  const outcomes = (await service.metrics.consumed.get()).values.filter((v) => v.labels.outcome !== 'ack' && v.value > 0);
  t.deepEqual(outcomes, []);
});

test('when a customer has several orders, then their history lists them newest first and no one else sees them', async (t) => {
  const { env, service, url } = await startCustomer('newest');
  const [older, newer, other] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
  await publish(env, 'order.placed', { orderId: newer, ...customer('eve'), items }, at(5));
  await publish(env, 'order.placed', { orderId: older, ...customer('eve'), items }, at(1));
  await publish(env, 'order.placed', { orderId: other, ...customer('fay'), items }, at(3));
  await untilConsumed(service, 3);
  const history = (await getJson(url('/customers/eve/orders'))).body as unknown as { orderId: string }[];
  t.deepEqual(
    history.map((h) => h.orderId),
    [newer, older],
  );
});

test('when a profile is created, read, replaced and created again, then each answer says so', async (t) => {
  const { url } = await startCustomer('crud');
  const created = await send('POST', url('/customers'), { customerId: 'gus', email: 'gus@example.com', name: 'Gus' });
  t.is(created.status, 201);
  t.is(created.location, '/customers/gus');
  t.like(created.body, { customerId: 'gus', email: 'gus@example.com', name: 'Gus' });
  t.like((await getJson(url('/customers/gus'))).body, { customerId: 'gus', email: 'gus@example.com', name: 'Gus' });

  const again = await send('POST', url('/customers'), { customerId: 'gus', email: 'other@example.com' });
  t.is(again.status, 409);
  t.regex(again.type ?? '', /^application\/problem\+json/);

  const replaced = await send('PUT', url('/customers/gus'), { email: 'gus@example.org', phone: '+49 30 1234567' });
  t.is(replaced.status, 200);
  const read = (await getJson(url('/customers/gus'))).body;
  t.like(read, { customerId: 'gus', email: 'gus@example.org', phone: '+49 30 1234567' });
  t.false('name' in read, 'PUT replaces the whole profile');

  const put = await send('PUT', url('/customers/hal'), { email: 'hal@example.com' });
  t.is(put.status, 201);
  t.is(put.location, '/customers/hal');

  const generated = await send('POST', url('/customers'), { email: 'ida@example.com' });
  t.is(generated.status, 201);
  t.regex(String(generated.body.customerId), /^[0-9a-f-]{36}$/);
  t.is(generated.location, `/customers/${generated.body.customerId}`);
});

test('when a customer is unknown, then the profile and the history answer a 404 problem', async (t) => {
  const { url } = await startCustomer('unknown');
  for (const path of ['/customers/nobody', '/customers/nobody/orders']) {
    const res = await getJson(url(path));
    t.is(res.status, 404, path);
    t.regex(res.type ?? '', /^application\/problem\+json/);
    t.regex(String(res.body.detail), /customer nobody does not exist/);
  }
});

test('when a profile body is invalid, then the answer is a 400 problem naming the field', async (t) => {
  const { url } = await startCustomer('invalid');
  const cases: [string, string, unknown, string][] = [
    ['POST', '/customers', { customerId: 'x', email: 'not-an-address' }, 'email'],
    ['POST', '/customers', { customerId: 'x', email: 'x@example.com', vip: true }, 'vip'],
    ['POST', '/customers', { customerId: '', email: 'x@example.com' }, 'customerId'],
    ['PUT', '/customers/x', { name: 'No Email' }, 'email'],
    ['PUT', '/customers/x', { email: 'x@example.com', phone: 'call me' }, 'phone'],
    ['PUT', '/customers/x', { email: 'x@example.com', name: '   ' }, 'name'],
  ];
  for (const [method, path, body, field] of cases) {
    const res = await send(method, url(path), body);
    t.is(res.status, 400, `${method} ${path} ${JSON.stringify(body)}`);
    t.regex(res.type ?? '', /^application\/problem\+json/);
    t.deepEqual(
      (res.body['invalid-params'] as { name: string }[]).map((p) => p.name),
      [field],
    );
  }
  t.is((await getJson(url('/customers/x'))).status, 404, 'nothing was stored');
});

test('when a customer has edited their profile, then a later order does not overwrite it', async (t) => {
  const { env, service, url } = await startCustomer('kept');
  await send('PUT', url('/customers/ivy'), { email: 'ivy@home.example', name: 'Ivy' });
  await publish(env, 'order.placed', { orderId: crypto.randomUUID(), customerId: 'ivy', email: 'ivy@work.example', items }, at(0));
  await untilConsumed(service, 1);
  t.like((await getJson(url('/customers/ivy'))).body, { email: 'ivy@home.example', name: 'Ivy' });
  t.is(((await getJson(url('/customers/ivy/orders'))).body as unknown as unknown[]).length, 1);
});
