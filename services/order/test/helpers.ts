import { type Envelope, newEnvelope } from '@orderly/events';
import type { RunningService } from '@orderly/platform';
import { type Cleanups, createTestEnv, startTestService, type TestEnv } from '@orderly/platform/testing';
import { definition } from '../src/service.js';

export interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: a body is whatever the API sent; tests assert its shape
  body: any;
}

/** A vhost, a database and the order service alone (no participant answers unless a test publishes for it). */
export async function startOrder(name: string, cleanups: Cleanups, vars: Record<string, string> = {}) {
  const env = await createTestEnv(`order_${name}`);
  cleanups.add(() => env.cleanup());
  const service = await startTestService(definition, env, cleanups, vars);
  const call = async (token: string | undefined, path: string, init: { method?: string; json?: unknown; body?: string } = {}) => {
    const res = await fetch(`http://127.0.0.1:${service.port}${path}`, {
      method: init.method ?? (init.json === undefined && init.body === undefined ? 'GET' : 'POST'),
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(init.json === undefined && init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(init.json === undefined ? {} : { body: JSON.stringify(init.json) }),
      ...(init.body === undefined ? {} : { body: init.body }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined } as Answer;
  };
  const operator = await env.issuer.operator();
  return {
    env,
    service,
    call,
    /** As the operator. */
    ops: (path: string, init?: Parameters<typeof call>[2]) => call(operator, path, init),
    /** Places an order as a customer (their token), returns its id. */
    async place(customerId: string, items = [{ sku: 'BOOK-ALICE', qty: 1 }]): Promise<string> {
      const res = await call(await env.issuer.customer(customerId), '/orders', { json: { items } });
      if (res.status !== 202) throw new Error(`placing an order: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.orderId;
    },
    /** Rows of each of the service's tables, and the order rows as they are: what a dry run must not change. */
    async snapshot() {
      const { rows } = await service.db.pool.query(
        `SELECT (SELECT count(*) FROM orders) AS orders, (SELECT count(*) FROM outbox) AS outbox,
                (SELECT count(*) FROM inbox) AS inbox, (SELECT count(*) FROM sagas) AS sagas,
                (SELECT json_agg(o ORDER BY id) FROM orders o) AS "orderRows", (SELECT json_agg(s ORDER BY order_id) FROM sagas s) AS "sagaRows"`,
      );
      return rows[0];
    },
  };
}

export type OrderUnderTest = Awaited<ReturnType<typeof startOrder>>;
export type Service = RunningService<unknown>;

/** A participant's outcome for an order, as its producer would publish it. */
export const outcome = (source: string, type: string, orderId: string, data: Record<string, unknown>): Envelope =>
  newEnvelope(source, type, orderId, { orderId, ...data });

export const reserved = (orderId: string, totalCents = 1299) =>
  outcome('inventory', 'inventory.reserved', orderId, {
    lines: [{ sku: 'BOOK-ALICE', qty: 1, unitPriceCents: totalCents }],
    totalCents,
    currency: 'EUR',
  });
export const rejected = (orderId: string) =>
  outcome('inventory', 'inventory.rejected', orderId, { reason: 'out_of_stock', skus: ['BOOK-ALICE'] });
export const paid = (orderId: string, amountCents = 1299) =>
  outcome('payment', 'payment.completed', orderId, { paymentId: crypto.randomUUID(), amountCents, currency: 'EUR' });

/** The broker user the dead letter would have recorded as its publisher. */
export const publishedBy = (env: TestEnv, service: string) => ({ 'x-orderly-published-by': `${env.vhost}.${service}` });
