import { cleanupList, publishEnvelope, waitFor } from '@orderly/platform/testing';
import test from 'ava';
import { type OrderUnderTest, publishedBy, reserved, startOrder } from './helpers.js';

/** The orchestrator's saga row for operators, and a dry run that would advance it, the order service alone. */
const cleanups = cleanupList();
let o: OrderUnderTest;
test.before(async () => {
  o = await startOrder('saga_row', cleanups, { SAGA_MODE: 'orchestration', SAGA_STEP_TIMEOUT_MS: '600000' });
});
test.after.always(() => cleanups.run());

test.serial(
  'when an operator reads a new order’s saga, then it is at its first step, running, with a deadline and the replies it waits for',
  async (t) => {
    const orderId = await o.place('C4');
    const res = await o.ops(`/orders/${orderId}/saga`);
    t.is(res.status, 200, JSON.stringify(res.body));
    t.like(res.body, { orderId, step: 0, stepName: 'reserve', state: 'running', awaiting: ['inventory.reserved', 'inventory.rejected'] });
    t.like(res.body.context, { orderId, customerId: 'C4', items: [{ sku: 'BOOK-ALICE', qty: 1 }] });
    const deadline = Date.parse(res.body.deadlineAt);
    t.true(deadline > Date.now() + 500_000 && deadline <= Date.now() + 600_000, res.body.deadlineAt);
    t.false(Number.isNaN(Date.parse(res.body.updatedAt)));
    const none = await o.ops(`/orders/${crypto.randomUUID()}/saga`);
    t.is(none.status, 404);
    t.regex(none.body.detail, /saga for order/);
  },
);

test.serial('when a reply that advances the saga is dry-run, then it shows the next command and the saga stays where it was', async (t) => {
  const orderId = await o.place('C4');
  const before = await o.snapshot();
  const event = reserved(orderId, 2599);
  const res = await o.ops('/admin/dry-run', {
    json: { queue: 'order', body: JSON.stringify(event), headers: publishedBy(o.env, 'inventory') },
  });
  t.is(res.status, 200, JSON.stringify(res.body));
  t.is(res.body.outcome, 'would-succeed');
  t.deepEqual(res.body.emitted, [{ type: 'payment.charge', subject: orderId, data: { orderId, totalCents: 2599, currency: 'EUR' } }]);
  t.deepEqual(await o.snapshot(), before);
  t.like((await o.ops(`/orders/${orderId}/saga`)).body, { step: 0, state: 'running' });

  await publishEnvelope(o.env, event);
  const charged = await waitFor(async () => {
    const saga = (await o.ops(`/orders/${orderId}/saga`)).body;
    return saga.step === 1 ? saga : undefined;
  });
  t.like(charged, {
    stepName: 'charge',
    state: 'running',
    awaiting: ['payment.completed', 'payment.failed'],
    context: { totalCents: 2599 },
  });
});

test.serial('when an orchestrated order stops moving, then the stuck list says which reply it waits for', async (t) => {
  const orderId = await o.place('C5');
  await o.service.db.pool.query(`UPDATE orders SET updated_at = now() - interval '1 hour' WHERE id = $1`, [orderId]);
  const stuck = (await o.ops('/orders/stuck?olderThanS=1800')).body;
  t.deepEqual(
    stuck.map((s: { order: { orderId: string } }) => s.order.orderId),
    [orderId],
  );
  t.is(stuck[0].expectedNext, 'inventory.reserved or inventory.rejected from inventory, in reply to inventory.reserve');
});
