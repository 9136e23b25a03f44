import { type Envelope, producerOf } from '@orderly/events';
import { cleanupList, publishEnvelope, waitFor } from '@orderly/platform/testing';
import test from 'ava';
import { lifecycle, type Outcome, outcomes, replies, type Status } from '../src/domain/lifecycle.js';
import { type OrderUnderTest, outcome, paid, publishedBy, reserved, startOrder } from './helpers.js';

/**
 * What each reply row of the lifecycle table emits, seen through the real consumer (a dry run on
 * the order service alone, orchestrated so the saga's commands show too): the order's event with
 * the table's reason, and what the saga sends.
 */
const cleanups = cleanupList();
let o: OrderUnderTest;
test.before(async () => {
  o = await startOrder('outcome_events', cleanups, { SAGA_MODE: 'orchestration', SAGA_STEP_TIMEOUT_MS: '600000' });
});
test.after.always(() => cleanups.run());

const parcel = (orderId: string) => ({ shipmentId: crypto.randomUUID(), carrier: 'DHL', trackingNumber: `OR${orderId.slice(0, 8)}` });
type ReplyOutcome = Exclude<Outcome, 'customer_request' | 'saga_timeout'>;
/** A reply that fits each row, as its producer would send it. */
const replyFor: Record<ReplyOutcome, (orderId: string) => Envelope> = {
  reserved: (id) => reserved(id),
  out_of_stock: (id) => outcome('inventory', 'inventory.rejected', id, { reason: 'out_of_stock', skus: ['BOOK-ALICE'] }),
  unknown_product: (id) => outcome('inventory', 'inventory.rejected', id, { reason: 'unknown_product', skus: ['NOPE'] }),
  paid: (id) => paid(id),
  payment_mismatch: (id) => paid(id, 1),
  payment_declined: (id) => outcome('payment', 'payment.failed', id, { reason: 'payment_declined', amountCents: 1299 }),
  dispatched: (id) => outcome('shipping', 'shipment.dispatched', id, parcel(id)),
  delivered: (id) => outcome('shipping', 'shipment.delivered', id, parcel(id)),
};
/** What the orchestrator sends when each row applies (the step's next command, or the compensations). */
const sagaSends: Record<ReplyOutcome, string[]> = {
  reserved: ['payment.charge'],
  out_of_stock: [],
  unknown_product: [],
  paid: ['inventory.commit'],
  // A cancelled saga undoes every step, the ones not sent yet included (decision 22: during a mode
  // switch the other mode's bindings may have run them); undoing one that never ran changes nothing.
  payment_mismatch: ['shipping.cancel', 'payment.refund', 'inventory.release'],
  payment_declined: ['inventory.release'],
  dispatched: [],
  delivered: [],
};
/** The replies that take a new order to each status. */
const pathTo: Partial<Record<Status, ReplyOutcome[]>> = {
  PENDING: [],
  RESERVED: ['reserved'],
  CONFIRMED: ['reserved', 'paid'],
  SHIPPED: ['reserved', 'paid', 'dispatched'],
};

async function orderIn(status: Status): Promise<string> {
  const orderId = await o.place('C6');
  for (const step of pathTo[status]!) {
    await publishEnvelope(o.env, replyFor[step](orderId));
    const to = lifecycle[step].to;
    await waitFor(async () => ((await o.ops(`/orders/${orderId}`)).body.status === to ? true : undefined), { what: `${orderId} ${to}` });
  }
  return orderId;
}

const rows = outcomes.filter((x): x is ReplyOutcome => (replies as readonly string[]).includes(lifecycle[x].on));

test('when the table is read, then every row on a reply has a reply to try it with here', (t) => {
  t.deepEqual([...rows].sort(), (Object.keys(replyFor) as ReplyOutcome[]).sort());
});

for (const row of rows) {
  const { on, from, emits, reason } = lifecycle[row];
  // Serial: the service takes at most two dry runs at once.
  test.serial(
    `when ${on} (${row}) reaches a ${from[0]} order, then it emits ${emits ?? 'no order event'}${reason ? ` with reason ${reason}` : ''}`,
    async (t) => {
      const orderId = await orderIn(from[0]!);
      const event = replyFor[row](orderId);
      const res = await o.ops('/admin/dry-run', {
        json: { queue: 'order', body: JSON.stringify(event), headers: publishedBy(o.env, producerOf(on)) },
      });
      t.is(res.body.outcome, 'would-succeed', JSON.stringify(res.body));
      const emitted: { type: string; data: Record<string, unknown> }[] = res.body.emitted;
      const orderEvents = emitted.filter((e) => e.type.startsWith('order.'));
      t.deepEqual(
        orderEvents.map((e) => e.type),
        emits ? [emits] : [],
      );
      if (emits) t.like(orderEvents[0]!.data, { orderId, customerId: 'C6', email: 'c6@example.com', ...(reason ? { reason } : {}) });
      if (emits === 'order.shipped') t.like(orderEvents[0]!.data, { carrier: 'DHL', trackingNumber: `OR${orderId.slice(0, 8)}` });
      if (emits === 'order.confirmed') t.like(orderEvents[0]!.data, { totalCents: 1299, currency: 'EUR' });
      t.deepEqual(
        emitted.filter((e) => !e.type.startsWith('order.')).map((e) => e.type),
        sagaSends[row],
        'what the saga sends',
      );
    },
  );
}
