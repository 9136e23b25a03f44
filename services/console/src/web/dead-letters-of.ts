import type { Pool } from '@orderly/platform';
import pMap from 'p-map';
import { searchDeadLetters } from '../store/dead-letters-store.js';
import type { DeadLettersOf } from './xray.js';

/** The console's dead-letter rows of some orders (every status: a redriven one is part of the story), newest first. */
export function deadLettersFromStore(pool: Pool, perOrder = 50): DeadLettersOf {
  return async (orderIds) => {
    const pages = await pMap(orderIds, (orderId) => searchDeadLetters(pool, { orderId }, perOrder), { concurrency: 4 });
    return pages.flatMap((p) => p.items);
  };
}
