import type { Database, Worker } from '@orderly/platform';
import { demoCatalogue } from '../domain/reservation.js';
import { addMissingProducts } from '../store/product-store.js';

/** At start, the demo products that are missing (SEED_DEMO_CATALOGUE). */
export function demoSeeder(db: Database): Worker {
  return {
    start: () => addMissingProducts(db.pool, demoCatalogue),
    async stop() {},
  };
}
