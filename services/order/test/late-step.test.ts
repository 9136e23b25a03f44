import { cleanupList, publishEnvelope, queueStats, waitFor } from '@orderly/platform/testing';
import test from 'ava';
import { outcome, paid, reserved, startOrder } from './helpers.js';

/**
 * A step's event may reach the order service after the next one: a publish that failed at commit
 * (the broker went away) is sent by the outbox sweep seconds later, while the next row, committed
 * after the broker came back, goes at once. The 20-minute chaos run left an order in SHIPPED this
 * way: shipment.delivered spent its retries before the swept shipment.dispatched arrived, and was
 * parked. A step that is missing waits for it without spending attempts, as any message whose
 * companion has not arrived does (decision 0010), and is parked only after NOT_YET_MAX_WAIT_MS.
 */
const cleanups = cleanupList();
test.after.always(() => cleanups.run());

const parcel = (orderId: string) => ({ shipmentId: crypto.randomUUID(), carrier: 'DHL', trackingNumber: `OR${orderId.slice(0, 8)}` });

test('when shipment.delivered arrives long before shipment.dispatched, then it waits for it and the order is delivered', async (t) => {
  // Two attempts a few milliseconds apart: retried as an error, it would be parked within a second.
  const o = await startOrder('late_step', cleanups, { RETRY_MAX_ATTEMPTS: '2', RETRY_BASE_DELAY_MS: '50', RETRY_MAX_DELAY_MS: '400' });
  const orderId = await o.place('C8');
  await publishEnvelope(o.env, reserved(orderId));
  await publishEnvelope(o.env, paid(orderId));
  await waitFor(async () => ((await o.ops(`/orders/${orderId}`)).body.status === 'CONFIRMED' ? true : undefined), { what: 'confirmed' });
  const shipment = parcel(orderId);
  await publishEnvelope(o.env, outcome('shipping', 'shipment.delivered', orderId, shipment));
  // Longer than the two attempts and their back-off.
  await new Promise((r) => setTimeout(r, 2_000));
  await publishEnvelope(o.env, outcome('shipping', 'shipment.dispatched', orderId, shipment));
  await waitFor(async () => ((await o.ops(`/orders/${orderId}`)).body.status === 'DELIVERED' ? true : undefined), {
    what: `${orderId} DELIVERED`,
    timeoutMs: 20_000,
  });
  t.is((await queueStats(o.env, 'order.dlq')).messages, 0, 'nothing parked');
});
