import { cleanupList, publishEnvelope, waitFor } from '@orderly/platform/testing';
import test from 'ava';
import { openStatuses } from '../src/domain/lifecycle-rules.js';
import { unchangedOrdersSql } from '../src/store/order-search-store.js';
import { type OrderUnderTest, rejected, reserved, startOrder } from './helpers.js';

/**
 * Serial: the stuck orders' test ages two orders, which the filters' test must not see yet.
 *
 * The operator's views of the order service (the operations console's), choreography, the order service alone:
 * C1 has orders a (PENDING), b (REJECTED, out_of_stock) and c (RESERVED); C2 has d (PENDING),
 * placed in that order.
 */
const cleanups = cleanupList();
let o: OrderUnderTest;
const ids = { a: '', b: '', c: '', d: '' };
let updatesFrom: string;

test.before(async () => {
  o = await startOrder('operator_views', cleanups);
  for (const [key, customer] of [
    ['a', 'C1'],
    ['b', 'C1'],
    ['c', 'C1'],
    ['d', 'C2'],
  ] as const) {
    ids[key] = await o.place(customer);
  }
  updatesFrom = new Date().toISOString();
  await publishEnvelope(o.env, rejected(ids.b));
  await publishEnvelope(o.env, reserved(ids.c));
  await waitFor(async () => ((await o.ops(`/orders/${ids.c}`)).body.status === 'RESERVED' ? true : undefined));
  await waitFor(async () => ((await o.ops(`/orders/${ids.b}`)).body.status === 'REJECTED' ? true : undefined));
});
test.after.always(() => cleanups.run());

const idsOf = (body: { orderId: string }[]) => body.map((x) => x.orderId);

test.serial('when an operator lists orders without naming a customer, then every customer’s orders come, newest first', async (t) => {
  const res = await o.ops('/orders');
  t.is(res.status, 200);
  t.deepEqual(idsOf(res.body), [ids.d, ids.c, ids.b, ids.a]);
  t.like(res.body[2], { orderId: ids.b, customerId: 'C1', status: 'REJECTED', reason: 'out_of_stock' });
  t.is(res.headers.get('link'), null, 'one page holds them all');
});

test.serial(
  'when an operator filters by status, customer, reason, creation time or last change, then only those orders come',
  async (t) => {
    const list = async (query: string) => {
      const res = await o.ops(`/orders?${query}`);
      t.is(res.status, 200, `${query}: ${JSON.stringify(res.body)}`);
      return idsOf(res.body);
    };
    const c = (await o.ops(`/orders/${ids.c}`)).body;
    t.deepEqual(await list('status=REJECTED'), [ids.b]);
    t.deepEqual(await list('status=PENDING,RESERVED'), [ids.d, ids.c, ids.a]);
    t.deepEqual(await list('status=PENDING&status=RESERVED'), [ids.d, ids.c, ids.a]);
    t.deepEqual(await list('customerId=C2'), [ids.d]);
    t.deepEqual(await list('customerId=C1&status=PENDING'), [ids.a]);
    t.deepEqual(await list('reason=out_of_stock'), [ids.b]);
    t.deepEqual(await list('reason=payment_declined'), []);
    t.deepEqual(await list(`since=${encodeURIComponent(c.createdAt)}`), [ids.d, ids.c]);
    t.deepEqual(await list(`until=${encodeURIComponent(c.createdAt)}`), [ids.b, ids.a]);
    t.deepEqual(await list(`updatedSince=${encodeURIComponent(updatesFrom)}`), [ids.c, ids.b]);
  },
);

test.serial('when an operator pages through the list with limit and the Link header, then each order comes exactly once', async (t) => {
  const seen: string[] = [];
  let path: string | undefined = '/orders?limit=1';
  let pages = 0;
  while (path && pages < 10) {
    const res = await o.ops(path);
    t.is(res.status, 200);
    seen.push(...idsOf(res.body));
    path = /^<([^>]+)>; rel="next"$/.exec(res.headers.get('link') ?? '')?.[1];
    pages += 1;
  }
  t.deepEqual(seen, [ids.d, ids.c, ids.b, ids.a]);
  const filtered = await o.ops('/orders?status=PENDING,RESERVED&limit=2');
  t.deepEqual(idsOf(filtered.body), [ids.d, ids.c]);
  const next = /^<([^>]+)>/.exec(filtered.headers.get('link') ?? '')?.[1] ?? '';
  t.regex(next, /status=PENDING%2CRESERVED/, 'the next page keeps the filters');
  t.deepEqual(idsOf((await o.ops(next)).body), [ids.a]);
});

test.serial('when an operator sends a bad filter, then 400 problem+json naming it', async (t) => {
  const badYear = Buffer.from(JSON.stringify(['0000-01-01T00:00:00Z', ids.a])).toString('base64url');
  for (const [query, field] of [
    ['status=NOPE', 'status'],
    ['status=', 'status'],
    ['since=yesterday', 'since'],
    ['until=0000-01-01T00:00:00Z', 'until'],
    ['updatedSince=2025-01-01', 'updatedSince'],
    ['reason=because', 'reason'],
    ['limit=0', 'limit'],
    ['limit=201', 'limit'],
    ['limit=2.5', 'limit'],
    ['cursor=not-a-cursor', 'cursor'],
    [`cursor=${badYear}`, 'cursor'],
    ['stauts=PENDING', 'stauts'],
    ['customerId=', 'customerId'],
  ] as const) {
    const res = await o.ops(`/orders?${query}`);
    t.is(res.status, 400, query);
    t.regex(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    t.true(
      res.body['invalid-params'].some((p: { name: string }) => p.name.startsWith(field)),
      `${query}: ${JSON.stringify(res.body)}`,
    );
  }
  t.is((await o.ops('/orders?customerId=C1&limit=500')).status, 200, 'one customer’s list keeps its bound of 500');
});

test.serial('when a customer lists orders, then only theirs come, as before; naming another customer is 403', async (t) => {
  const c1 = await o.env.issuer.customer('C1');
  const own = await o.call(c1, '/orders');
  t.is(own.status, 200);
  t.deepEqual(idsOf(own.body), [ids.c, ids.b, ids.a]);
  t.deepEqual(
    idsOf((await o.call(c1, '/orders?status=REJECTED&reason=none')).body),
    [ids.c, ids.b, ids.a],
    'operator filters are not theirs',
  );
  t.is((await o.call(c1, '/orders?limit=501')).status, 400, 'their bound stays 500');
  t.is((await o.call(c1, '/orders?customerId=C2')).status, 403);
  t.is((await o.call(await o.env.issuer.customer('C3'), '/orders')).body.length, 0);
});

test.serial('when an operator asks for the counts per status, then every status is there, zero included', async (t) => {
  const res = await o.ops('/orders/stats');
  t.is(res.status, 200);
  t.deepEqual(res.body, { counts: { PENDING: 2, RESERVED: 1, CONFIRMED: 0, SHIPPED: 0, DELIVERED: 0, REJECTED: 1, CANCELLED: 0 } });
});

test.serial(
  'when orders stop changing, then the stuck list has the unfinished ones older than the age asked, with what each waits for',
  async (t) => {
    await o.service.db.pool.query(`UPDATE orders SET updated_at = now() - interval '10 minutes' WHERE id = ANY($1::uuid[])`, [
      [ids.a, ids.b],
    ]);
    const stuck = await o.ops('/orders/stuck');
    t.is(stuck.status, 200);
    t.deepEqual(
      stuck.body.map((s: { order: { orderId: string } }) => s.order.orderId),
      [ids.a],
      'a is pending for 10 min (default 300 s); b is rejected, final; c and d changed just now',
    );
    t.like(stuck.body[0], {
      order: { status: 'PENDING', customerId: 'C1' },
      expectedNext: 'inventory.reserved or inventory.rejected from inventory',
    });
    t.deepEqual((await o.ops('/orders/stuck?olderThanS=3600')).body, []);
    t.deepEqual(
      (await o.ops('/orders/stuck?olderThanS=0')).body.map((s: { order: { orderId: string } }) => s.order.orderId),
      [ids.a, ids.d, ids.c],
      'every unfinished order, longest unchanged first',
    );
    for (const query of ['olderThanS=-1', 'olderThanS=ten', 'limit=0', 'since=now'])
      t.is((await o.ops(`/orders/stuck?${query}`)).status, 400, query);
  },
);

test.serial('when the stuck list is read, then its query is one the partial index of unfinished orders serves', async (t) => {
  const client = await o.service.db.pool.connect();
  try {
    // The table is tiny: without this the planner rightly reads it whole, and the index would go unproved.
    await client.query('BEGIN; SET LOCAL enable_seqscan = off');
    const { rows } = await client.query(`EXPLAIN ${unchangedOrdersSql}`, [openStatuses, 300, 100]);
    t.regex(rows.map((r) => r['QUERY PLAN']).join('\n'), /orders_open_by_update/);
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
});

test.serial(
  'when the migrations have run, then the partial index of unfinished orders holds exactly the open statuses of the lifecycle',
  async (t) => {
    // Migration 007 copies the open statuses into SQL; the index as PostgreSQL stores it is read back, so a drift of either fails here.
    const { rows } = await o.service.db.pool.query<{ predicate: string }>(
      `SELECT pg_get_expr(indpred, indrelid) AS predicate FROM pg_index WHERE indexrelid = 'orders_open_by_update'::regclass`,
    );
    const indexed = [...(rows[0]?.predicate ?? '').matchAll(/'([A-Z_]+)'::text/g)].map((m) => m[1]);
    t.deepEqual(indexed.sort(), [...openStatuses].sort(), rows[0]?.predicate);
  },
);

test.serial('when an operator asks for the saga row in choreography, then 404 saying the mode keeps none', async (t) => {
  const res = await o.ops(`/orders/${ids.a}/saga`);
  t.is(res.status, 404);
  t.regex(res.body.detail, /choreography/);
  t.is((await o.ops('/orders/not-a-uuid/saga')).status, 400);
});

test.serial('when a customer or nobody calls the operator routes, then 403 and 401', async (t) => {
  const c1 = await o.env.issuer.customer('C1');
  for (const [path, json] of [
    ['/orders/stats', undefined],
    ['/orders/stuck', undefined],
    [`/orders/${ids.a}/saga`, undefined],
    [`/admin/outbox?subject=${ids.a}`, undefined],
    ['/admin/dry-run', { queue: 'order', body: '{}' }],
  ] as const) {
    const init = json ? { json } : {};
    const customer = await o.call(c1, path, init);
    t.is(customer.status, 403, path);
    t.regex(customer.headers.get('content-type') ?? '', /^application\/problem\+json/);
    const nobody = await o.call(undefined, path, init);
    t.is(nobody.status, 401, path);
    t.regex(nobody.headers.get('www-authenticate') ?? '', /^Bearer /);
  }
});

test.serial('when a client reads the order API document, then the operator and admin routes are in it', async (t) => {
  const doc = (await o.call(undefined, '/openapi.json')).body;
  for (const path of ['/orders/stats', '/orders/stuck', '/orders/{id}/saga', '/admin/dry-run', '/admin/outbox'])
    t.truthy(doc.paths[path], path);
  t.is(doc.paths['/admin/dry-run'].post.requestBody.content['application/json'].schema.properties.queue.type, 'string');
});
