import { cleanupList, publishEnvelope, waitFor } from '@orderly/platform/testing';
import test from 'ava';
import fc from 'fast-check';
import { type OrderUnderTest, paid, publishedBy, rejected, startOrder } from './helpers.js';

/**
 * POST /admin/dry-run and GET /admin/outbox on the order service (the console asks them), choreography, the
 * service alone. The relay sweeps rarely (OUTBOX_POLL_MS): a row no commit of the service handed
 * over (one another instance left at a crash) waits for the sweep.
 */
const cleanups = cleanupList();
let o: OrderUnderTest;
test.before(async () => {
  o = await startOrder('dry_run', cleanups, { OUTBOX_POLL_MS: '600000' });
});
test.after.always(() => cleanups.run());

const dryRun = (json: unknown) => o.ops('/admin/dry-run', { json });
const fromInventory = () => publishedBy(o.env, 'inventory');
const statusOf = async (orderId: string) => (await o.ops(`/orders/${orderId}`)).body.status;

test.serial('when a message that would succeed is dry-run, then it shows the events it would emit and nothing changes', async (t) => {
  const orderId = await o.place('C7');
  const before = await o.snapshot();
  const res = await dryRun({ queue: 'order', body: JSON.stringify(rejected(orderId)), headers: fromInventory() });
  t.is(res.status, 200, JSON.stringify(res.body));
  t.deepEqual(res.body, {
    outcome: 'would-succeed',
    emitted: [
      { type: 'order.rejected', subject: orderId, data: { orderId, customerId: 'C7', email: 'c7@example.com', reason: 'out_of_stock' } },
    ],
  });
  t.deepEqual(await o.snapshot(), before, 'orders, outbox, inbox and sagas as they were');
  t.is(await statusOf(orderId), 'PENDING');
});

test.serial('when a message that would fail is dry-run, then it shows the error, emits nothing and nothing changes', async (t) => {
  const orderId = await o.place('C7');
  const before = await o.snapshot();
  const early = await dryRun({ queue: 'order', body: JSON.stringify(paid(orderId)), headers: publishedBy(o.env, 'payment') });
  t.is(early.status, 200);
  t.is(early.body.outcome, 'would-fail');
  t.deepEqual(early.body.emitted, []);
  t.regex(early.body.error, /^StepMissingError: order .* is PENDING: payment\.completed cannot skip a step \(it applies in RESERVED\)/);
  // What the consumer would do next is its own decision (decide.ts): a missing step is waited for, a permanent error parked.
  t.is(early.body.next, 'waits');
  const unknown = await dryRun({ queue: 'order', body: JSON.stringify(rejected(crypto.randomUUID())), headers: fromInventory() });
  t.regex(unknown.body.error, /^PermanentError: order .* does not exist/);
  t.is(unknown.body.next, 'parked');
  t.deepEqual(await o.snapshot(), before);
});

test.serial(
  'when the message is forged, malformed or has no publisher on record, then the dry run refuses it as the consumer would',
  async (t) => {
    const orderId = await o.place('C7');
    const body = JSON.stringify(rejected(orderId));
    const cases: [unknown, RegExp][] = [
      [
        { queue: 'order', body },
        /refused: inventory\.rejected must be published by broker user .*\.inventory, was published by an unnamed user/,
      ],
      [{ queue: 'order', body, headers: { 'x-orderly-published-by': '' } }, /published by an unnamed user/],
      [{ queue: 'order', body, headers: publishedBy(o.env, 'payment') }, /was published by .*\.payment/],
      [
        { queue: 'order', body: JSON.stringify({ ...rejected(orderId), source: 'orderly/payment' }), headers: fromInventory() },
        /is produced by orderly\/inventory, not orderly\/payment/,
      ],
      [{ queue: 'order', body: 'not json', headers: fromInventory() }, /^SyntaxError/],
      [
        { queue: 'order', body: JSON.stringify(rejected(orderId)).replace('out_of_stock', 'out\u0000'), headers: fromInventory() },
        /^SyntaxError/,
      ],
      [{ queue: 'order', body: JSON.stringify({ ...rejected(orderId), data: { orderId } }), headers: fromInventory() }, /^ZodError/],
      [
        { queue: 'order', body: JSON.stringify({ ...rejected(orderId), type: 'order.exploded' }), headers: fromInventory() },
        /unknown message type order\.exploded/,
      ],
      [{ queue: 'order', body: JSON.stringify({ ...rejected(orderId), subject: 'a\u0000b' }), encoding: 'base64' }, /subject: /],
    ];
    for (const [json, error] of cases) {
      const request = json as { body: string; encoding?: string };
      const sent = request.encoding === 'base64' ? { ...request, body: Buffer.from(request.body).toString('base64') } : request;
      const res = await dryRun(sent);
      t.is(res.status, 200, JSON.stringify(res.body));
      t.is(res.body.outcome, 'would-fail', JSON.stringify(json));
      t.regex(res.body.error, error);
      t.is(res.body.next, 'parked', 'refused on arrival: parked at once');
    }
    const base64 = await dryRun({
      queue: 'order',
      body: Buffer.from(body).toString('base64'),
      encoding: 'base64',
      headers: fromInventory(),
    });
    t.is(base64.body.outcome, 'would-succeed', 'a base64 body is the same message');
    t.is(await statusOf(orderId), 'PENDING');
  },
);

test.serial('when the consumer has handled the message already, then the dry run says so and runs nothing', async (t) => {
  const orderId = await o.place('C7');
  const event = rejected(orderId);
  await publishEnvelope(o.env, event);
  await waitFor(async () => ((await statusOf(orderId)) === 'REJECTED' ? true : undefined));
  const res = await dryRun({ queue: 'order', body: JSON.stringify(event), headers: fromInventory() });
  t.deepEqual(res.body, { outcome: 'already-handled', emitted: [] });
});

test.serial(
  'when the dry run names a queue the service does not consume, or its body is bad or too large, then 404, 400 or 413 problems',
  async (t) => {
    const notOurs = await dryRun({ queue: 'inventory', body: '{}' });
    t.is(notOurs.status, 404);
    t.regex(notOurs.body.detail, /inventory is not a queue this service consumes/);
    t.is((await dryRun({ queue: 'order.dlq', body: '{}' })).status, 404);
    for (const bad of [
      {},
      { queue: 'order' },
      { queue: '', body: '{}' },
      { queue: 'order', body: {} },
      { queue: 'order', body: '{}', encoding: 'hex' },
      { queue: 'order', body: '{}', headers: [] },
      { queue: 'order', body: '{}', extra: 1 },
      { queue: 'order\ud800', body: '{}' },
      [],
      'text',
    ]) {
      const res = await dryRun(bad);
      t.is(res.status, 400, JSON.stringify(bad));
      t.regex(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
    }
    const notJson = await o.ops('/admin/dry-run', { body: '{"queue":' });
    t.is(notJson.status, 400);
    const large = await dryRun({ queue: 'order', body: `{"pad":"${'x'.repeat(200_000)}"}`, headers: fromInventory() });
    t.is(large.status, 200, 'a message far over the 32 KiB of other routes is still taken');
    t.is(large.body.outcome, 'would-fail');
    t.is((await dryRun({ queue: 'order', body: 'x'.repeat(300_000) })).status, 413);
  },
);

test.serial('when an order’s event waits in the outbox, then GET /admin/outbox lists it and not the ones already sent', async (t) => {
  const orderId = await o.place('C8');
  const sent = async () =>
    (await o.service.db.pool.query(`SELECT type FROM outbox WHERE payload->>'subject' = $1 AND published_at IS NOT NULL`, [orderId])).rows;
  await waitFor(async () => ((await sent()).length === 1 ? true : undefined), { what: 'order.placed published' });
  // What an instance that crashed after the broker's confirm leaves: the event again, unsent. No
  // commit of this process announced it, and the relay polls every 10 min here.
  const { rows } = await o.service.db.pool.query<{ event_id: string }>(
    `INSERT INTO outbox (event_id, exchange, routing_key, type, payload, trace_context)
     SELECT event_id, exchange, routing_key, type, payload, trace_context FROM outbox WHERE payload->>'subject' = $1 RETURNING event_id`,
    [orderId],
  );
  const res = await o.ops(`/admin/outbox?subject=${orderId}`);
  t.is(res.status, 200);
  t.is(res.body.pending.length, 1, JSON.stringify(res.body));
  t.like(res.body.pending[0], { type: 'order.placed', eventId: rows[0]!.event_id });
  t.false(Number.isNaN(Date.parse(res.body.pending[0].createdAt)));
  t.deepEqual(
    (await sent()).map((r) => r.type),
    ['order.placed'],
    'the sent one is there, and not listed',
  );
  t.deepEqual((await o.ops(`/admin/outbox?subject=${crypto.randomUUID()}`)).body, { pending: [] });
  // A new order's events go out at its commit; the waiting row stays for the sweep (every 10 min here).
  const next = await o.place('C8');
  await waitFor(async () => ((await o.ops(`/admin/outbox?subject=${next}`)).body.pending.length === 0 ? true : undefined));
  t.is((await o.ops(`/admin/outbox?subject=${orderId}`)).body.pending.length, 1);
  for (const query of ['', '?subject=', `?subject=${orderId}&subject=${orderId}`, `?subject=${'x'.repeat(201)}`]) {
    t.is((await o.ops(`/admin/outbox${query}`)).status, 400, query);
  }
});

test.serial(
  'when dry-run requests and list queries are generated, hostile ones included, then every answer is 2xx or 4xx, never 5xx',
  async (t) => {
    t.timeout(120_000);
    const orderId = await o.place('C9');
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 60 }),
      fc.constantFrom('\ud800', 'nul\u0000', '__proto__', '', '{', 'null', '[]', '"x"', '1e400', 'x'.repeat(5_000)),
    );
    const value = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 3 }));
    const envelope = fc
      .record({
        type: fc.oneof(
          fc.constantFrom('inventory.reserved', 'inventory.rejected', 'payment.completed', 'payment.failed', 'shipment.delivered'),
          text,
        ),
        data: fc.oneof(
          fc.record({
            orderId: fc.oneof(fc.constant(orderId), fc.uuid(), text),
            reason: value,
            totalCents: value,
            lines: value,
            skus: value,
          }),
          value,
        ),
        field: fc.constantFrom('id', 'source', 'subject', 'time', 'correlationid', 'specversion'),
        replacement: fc.option(value),
      })
      .map(({ type, data, field, replacement }) => {
        const base = { ...rejected(orderId), type, data } as Record<string, unknown>;
        if (replacement !== null) base[field] = replacement;
        return JSON.stringify(base);
      });
    const request = fc.record(
      {
        queue: fc.oneof(fc.constant('order'), text, value),
        body: fc.oneof(envelope, text, value),
        encoding: fc.oneof(fc.constantFrom('utf8', 'base64'), value),
        headers: fc.oneof(
          fc.constant(fromInventory()),
          fc.dictionary(fc.oneof(fc.constant('x-orderly-published-by'), text), value, { maxKeys: 3 }),
          value,
        ),
      },
      { requiredKeys: [] },
    );
    const statuses = new Map<number, number>();
    const count = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const res = await dryRun(r);
        count(res.status);
        if (res.status >= 500) throw new Error(`${res.status} for ${JSON.stringify(r).slice(0, 300)}: ${JSON.stringify(res.body)}`);
      }),
      { seed: 150_015, numRuns: 150, endOnFailure: true },
    );
    const key = fc.oneof(
      fc.constantFrom('status', 'customerId', 'since', 'until', 'updatedSince', 'reason', 'limit', 'cursor', '__proto__'),
      text,
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(key, fc.oneof(text, value.map(String))), { maxLength: 4 }), async (pairs) => {
        const query = pairs.map(
          ([k, v]) => `${encodeURIComponent(k.replace(/[\ud800-\udfff]/g, ''))}=${encodeURIComponent(v.replace(/[\ud800-\udfff]/g, ''))}`,
        );
        for (const path of [`/orders?${query.join('&')}`, `/orders/stuck?${query.join('&')}`]) {
          const res = await o.ops(path);
          count(res.status);
          if (res.status >= 500) throw new Error(`${res.status} for ${path}: ${JSON.stringify(res.body)}`);
        }
      }),
      { seed: 150_015, numRuns: 100, endOnFailure: true },
    );
    t.log(
      `answers: ${[...statuses]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s}×${n}`)
        .join(' ')}`,
    );
    t.true(statuses.has(200) && statuses.has(400));
  },
);
