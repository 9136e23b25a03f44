import { type Envelope, type EventData, exchanges, type MessageType, newEnvelope } from '@orderly/events';
import type { RunningService } from '@orderly/platform';
import {
  type Cleanups,
  createTestEnv,
  operatorHeaders,
  publishEnvelope,
  startTestService,
  type TestEnv,
  waitFor,
} from '@orderly/platform/testing';
import amqp from 'amqplib';
import pg from 'pg';
import type { Config } from '../src/config.js';
import { definition } from '../src/service.js';

export { type Cleanups, cleanupList } from '@orderly/platform/testing';

export const shortDelays = { SHIPPING_DISPATCH_DELAY_MS: '100', SHIPPING_DELIVERY_DELAY_MS: '200', SHIPPING_TIMER_POLL_MS: '25' };

export async function testEnv(name: string, cleanups: Cleanups): Promise<TestEnv> {
  const e = await createTestEnv(`shipping_${name}`);
  cleanups.add(() => e.cleanup());
  return e;
}

export const startShipping = (e: TestEnv, cleanups: Cleanups, vars: Record<string, string> = {}): Promise<RunningService<Config>> =>
  startTestService(definition, e, cleanups, { ...shortDelays, ...vars });

/**
 * What reached the broker: a queue of the test's own, bound to the given routing keys on the
 * events exchange before anything is published. Call after a service has asserted the topology.
 */
export async function watchEvents(e: TestEnv, cleanups: Cleanups, pattern = 'shipment.*') {
  const conn = await amqp.connect(e.amqpUrl);
  cleanups.add(() => conn.close());
  const ch = await conn.createChannel();
  const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true });
  await ch.bindQueue(queue, exchanges.events, pattern);
  const seen: Envelope[] = [];
  await ch.consume(
    queue,
    (msg) => {
      if (msg) seen.push(JSON.parse(msg.content.toString('utf8')) as Envelope);
    },
    { noAck: true },
  );
  const of = (type: string, orderId?: string) => seen.filter((ev) => ev.type === type && (orderId === undefined || ev.subject === orderId));
  return {
    seen,
    of,
    /** Waits until `count` events of the type (for the order) have arrived, and returns them. */
    waitFor: (type: string, orderId?: string, count = 1, timeoutMs = 15_000) =>
      waitFor(async () => (of(type, orderId).length >= count ? of(type, orderId) : undefined), { what: `${count} × ${type}`, timeoutMs }),
  };
}

/** Publishes a message as its producer's relay would: routed by type, with type and message id. */
export async function publish<T extends MessageType>(
  e: TestEnv,
  type: T,
  data: EventData<T>,
  envelope: Envelope = newEnvelope('order', type, (data as { orderId: string }).orderId, data),
): Promise<Envelope> {
  return publishEnvelope(e, envelope);
}

export const confirmed = (orderId: string): EventData<'order.confirmed'> => ({
  orderId,
  customerId: 'C-1',
  email: 'c1@example.com',
  totalCents: 1999,
  currency: 'EUR',
});

export const cancelled = (orderId: string): EventData<'order.cancelled'> => ({
  orderId,
  customerId: 'C-1',
  email: 'c1@example.com',
  reason: 'customer_request',
});

export interface ShipmentView {
  shipmentId: string;
  orderId: string;
  customerId: string | null;
  carrier: string;
  trackingNumber: string;
  status: string;
  history: { status: string; at: string }[];
}

export async function http(service: RunningService<Config>, path: string): Promise<{ status: number; type: string; body: unknown }> {
  const res = await fetch(`http://127.0.0.1:${service.port}${path}`, { headers: await operatorHeaders() });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.json() };
}

export async function shipmentsOf(service: RunningService<Config>, orderId: string): Promise<ShipmentView[]> {
  const res = await http(service, `/shipments?orderId=${orderId}`);
  if (res.status !== 200) throw new Error(`GET /shipments: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as ShipmentView[];
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Reads the service's tables directly, as an operator would, without starting an instance. */
export async function query<R = Record<string, unknown>>(e: TestEnv, sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: e.databaseUrl });
  await client.connect();
  try {
    await client.query('SET search_path TO shipping');
    return (await client.query(sql, params)).rows as R[];
  } finally {
    await client.end();
  }
}

/** The shipment id an event carries (undefined when there is no event). */
export const shipmentIdOf = (event: Envelope | undefined): string | undefined =>
  (event?.data as { shipmentId?: string } | undefined)?.shipmentId;

/** The arrangement most tests share: a fresh vhost and database, the service, and a watch on its events. */
export async function shippingWith(name: string, cleanups: Cleanups, vars: Record<string, string> = {}) {
  const e = await testEnv(name, cleanups);
  const service = await startShipping(e, cleanups, vars);
  const events = await watchEvents(e, cleanups);
  return { e, service, events };
}

/** Waits until the service's inbox holds n handled events. */
export async function inboxHolds(service: RunningService<Config>, n: number): Promise<void> {
  await waitFor(
    async () => {
      const { rows } = await service.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM inbox');
      if (rows[0]?.n !== n) throw new Error(`inbox has ${rows[0]?.n} events`);
      return true;
    },
    { what: `${n} events handled` },
  );
}
