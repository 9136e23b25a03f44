import { exchanges } from '@orderly/events';
import { cleanupList } from '@orderly/platform/testing';
import test from 'ava';
import { sagasInFlight } from '../src/saga/in-flight.js';
import { startOrder } from './helpers.js';

/**
 * orderly_sagas_in_flight{mode} tells an operator when a saga-mode switch may end (decision 0022).
 * An orchestrated saga is not over for the broker while its command waits in the outbox: the
 * 20-minute chaos run ended a switch with five inventory.commit rows still unpublished after a
 * broker outage, and they were parked, refused the rights the switch had just taken away.
 */
const cleanups = cleanupList();
test.after.always(() => cleanups.run());

test('when a command waits unpublished in the outbox, then its saga counts as in flight until it is sent', async (t) => {
  // The sweep far away: the row stays unpublished while the test looks.
  const o = await startOrder('in_flight', cleanups, { OUTBOX_SWEEP_AFTER_MS: '600000' });
  const db = o.service.db.pool;
  t.is((await sagasInFlight(db)).orchestration, 0);
  const orderId = crypto.randomUUID();
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO outbox (event_id, exchange, routing_key, type, payload, subject)
     VALUES ($1, $2, 'inventory.commit', 'inventory.commit', '{}', $3) RETURNING id`,
    [crypto.randomUUID(), exchanges.commands, orderId],
  );
  t.is((await sagasInFlight(db)).orchestration, 1, 'the saga row is gone, its command is not sent');
  await db.query('UPDATE outbox SET published_at = now() WHERE id = $1', [rows[0]!.id]);
  t.is((await sagasInFlight(db)).orchestration, 0, 'sent');
});
