import { randomUUID } from 'node:crypto';
import type { RunningService, Tx } from '@orderly/platform';
import { cleanupList, waitFor } from '@orderly/platform/testing';
import test from 'ava';
import { foldOneByOne, handle, historyById, inOneBatch, type OrderEvent, orderEvent, startCustomer } from './fixture.js';

/**
 * The stream reader's batch and the customer queue's consumer (retries, redrives) run the same
 * handler concurrently: whichever touches an order second waits for the first, then folds on top.
 */
const cleanups = cleanupList();
let service: RunningService<unknown>;
test.before(async () => {
  service = await startCustomer('row_locks', cleanups);
});
test.after.always(() => cleanups.run());

/** Handles the events in one transaction that stays open, having run them, until `commit` is called. */
function heldOpen(events: readonly OrderEvent[]): { ran: Promise<void>; commit: () => void; done: Promise<void> } {
  let commit = () => {};
  let ran = () => {};
  const gate = new Promise<void>((resolve) => {
    commit = resolve;
  });
  const running = new Promise<void>((resolve) => {
    ran = resolve;
  });
  const done = service.db.transaction(async (tx: Tx) => {
    for (const event of events) await handle(tx, event);
    ran();
    await gate;
  });
  return { ran: running, commit, done };
}

const waitingForALock = () =>
  waitFor(
    async () => {
      const { rows } = await service.db.pool.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      return rows[0].n > 0 ? true : undefined;
    },
    { what: 'a transaction waiting for a row lock' },
  );

test('when a batch creates an order while the queue consumer handles another of its events, then the second waits and both are folded', async (t) => {
  const orderId = randomUUID();
  const batch = [orderEvent('order.placed', orderId, 'race-1', 0), orderEvent('order.shipped', orderId, 'race-1', 2)];
  const first = heldOpen(batch);
  await first.ran;
  const retried = orderEvent('order.confirmed', orderId, 'race-1', 1);
  const second = inOneBatch(service.db, [retried]);
  await waitingForALock();
  first.commit();
  await t.notThrowsAsync(first.done);
  await t.notThrowsAsync(second, 'the second insert of the order folds into the first one`s row instead of failing');
  const { customerId, ...expected } = foldOneByOne([...batch, retried])!;
  t.deepEqual((await historyById(service.db, 'race-1')).get(orderId), expected);
  t.like(expected, { status: 'SHIPPED', totalCents: 1001 });
});

test('when the queue consumer holds an order a batch then folds several events into, then the batch waits and folds on top', async (t) => {
  const orderId = randomUUID();
  const placed = orderEvent('order.placed', orderId, 'race-2', 0);
  await inOneBatch(service.db, [placed]);
  const retried = orderEvent('order.shipped', orderId, 'race-2', 2);
  const first = heldOpen([retried]);
  await first.ran;
  const confirmed = orderEvent('order.confirmed', orderId, 'race-2', 1);
  const batch = [confirmed, orderEvent('order.delivered', orderId, 'race-2', 3), confirmed];
  const second = inOneBatch(service.db, batch);
  await waitingForALock();
  first.commit();
  await first.done;
  await second;
  const { customerId, ...expected } = foldOneByOne([placed, retried, ...batch])!;
  t.deepEqual((await historyById(service.db, 'race-2')).get(orderId), expected);
  t.like(expected, { status: 'DELIVERED', totalCents: 1001 });
});
