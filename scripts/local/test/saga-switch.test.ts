import { customer, Stack } from '@orderly/testkit';
import test from 'ava';
import { startsSwitching } from '../saga-switch.ts';

/**
 * `npm start` after `SAGA_MODE=orchestration npm start` with orders on their way:
 * the local stack sees the other mode's orders in flight in the order database and starts switching
 * (decision 0022); with none, or when told, it does not.
 */
test('when orders of the other saga mode are in flight, then the local stack starts switching, and not otherwise', async (t) => {
  t.timeout(120_000);
  const stack = await Stack.create('local_saga_switch', { SAGA_MODE: 'orchestration', SAGA_STEP_TIMEOUT_MS: '600000' });
  t.teardown(() => stack.dispose());
  const url = stack.env.databaseUrl;
  t.deepEqual(
    await startsSwitching('choreography', undefined, url),
    { switching: false, inFlight: 0 },
    'never migrated: nothing in flight',
  );

  // Only the order service: the orchestrated order waits at its first step.
  await stack.start(['order']);
  const placed = await stack.placeOrder({ ...customer(1), items: [{ sku: 'BOOK-ALICE', qty: 1 }] });
  t.is(placed.status, 202);
  await stack.stop();

  t.deepEqual(await startsSwitching('choreography', undefined, url), { switching: true, inFlight: 1 });
  t.deepEqual(await startsSwitching('orchestration', undefined, url), { switching: false, inFlight: 0 }, 'the same mode again');
  t.deepEqual(await startsSwitching('choreography', 'false', url), { switching: false }, 'SAGA_SWITCHING set wins');
  t.deepEqual(await startsSwitching('orchestration', 'true', url), { switching: true });
});
