import type { Pool } from '@orderly/platform';
import { searchDeadLetters } from '../store/dead-letters-store.js';
import { mapLimited } from './services-client.js';
import type { DeadLettersOf } from './xray.js';

/** The console's dead-letter rows of some orders (every status: a redriven one is part of the story), newest first. */
export function deadLettersFromStore(pool: Pool, perOrder = 50): DeadLettersOf {
  return async (orderIds) => {
    const pages = await mapLimited(orderIds, 4, (orderId) => searchDeadLetters(pool, { orderId }, perOrder));
    return pages.flatMap((p) => p.items);
  };
}
