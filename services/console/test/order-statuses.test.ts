import { statuses } from '@orderly/order';
import test from 'ava';
import { statuses as apiStatuses } from '../src/web/api-routes.js';

/** The console's copies of the order's statuses (it does not import the order service) against the lifecycle they copy. */
test('when the order lifecycle has a status, then the console filters and shows it, in the same order, and no other', async (t) => {
  t.deepEqual([...apiStatuses], [...statuses], 'GET /api/orders?status= accepts exactly the order statuses');
  // The page's module is the browser's: plain JavaScript, loaded as the browser loads it.
  const page = await import(new URL('../src/web/ui/format.js', import.meta.url).href);
  t.deepEqual(page.statuses, [...statuses], 'the orders page lists and counts exactly the order statuses');
});
