import type { Database, Worker } from '@orderly/platform';
import { demoCatalogue } from './domain/reservation.js';

/** Adds the demo products that are missing; never touches stock that already exists. */
export function demoSeeder(db: Database): Worker {
  return {
    async start() {
      await db.pool.query(
        `INSERT INTO products (sku, name, price_cents, available)
         SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::int[]) ON CONFLICT (sku) DO NOTHING`,
        [
          demoCatalogue.map((p) => p.sku),
          demoCatalogue.map((p) => p.name),
          demoCatalogue.map((p) => p.priceCents),
          demoCatalogue.map((p) => p.available),
        ],
      );
    },
    async stop() {},
  };
}
