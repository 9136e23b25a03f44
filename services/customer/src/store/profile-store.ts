import { type Pool, RowBatch, type Tx } from '@orderly/platform';
import type { Profile } from '../domain/profile.js';

export interface StoredProfile extends Profile {
  customerId: string;
  createdAt: string;
  updatedAt: string;
}

interface Row {
  customer_id: string;
  email: string;
  name: string | null;
  phone: string | null;
  created_at: Date;
  updated_at: Date;
}

const columns = 'customer_id, email, name, phone, created_at, updated_at';

const toProfile = (r: Row): StoredProfile => ({
  customerId: r.customer_id,
  email: r.email,
  ...(r.name === null ? {} : { name: r.name }),
  ...(r.phone === null ? {} : { phone: r.phone }),
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

export async function findProfile(pool: Pool, customerId: string): Promise<StoredProfile | undefined> {
  const { rows } = await pool.query<Row>(`SELECT ${columns} FROM customers WHERE customer_id = $1`, [customerId]);
  return rows[0] && toProfile(rows[0]);
}

/** A new profile, or undefined when the id is taken. */
export async function insertProfile(pool: Pool, customerId: string, p: Profile): Promise<StoredProfile | undefined> {
  const { rows } = await pool.query<Row>(
    `INSERT INTO customers (customer_id, email, name, phone) VALUES ($1, $2, $3, $4)
     ON CONFLICT (customer_id) DO NOTHING RETURNING ${columns}`,
    [customerId, p.email, p.name ?? null, p.phone ?? null],
  );
  return rows[0] && toProfile(rows[0]);
}

/** Creates or replaces a profile; says which. */
export async function putProfile(pool: Pool, customerId: string, p: Profile): Promise<{ profile: StoredProfile; created: boolean }> {
  const { rows } = await pool.query<Row & { created: boolean }>(
    `INSERT INTO customers (customer_id, email, name, phone) VALUES ($1, $2, $3, $4)
     ON CONFLICT (customer_id) DO UPDATE SET email = excluded.email, name = excluded.name, phone = excluded.phone, updated_at = now()
     RETURNING ${columns}, (xmax = 0) AS created`,
    [customerId, p.email, p.name ?? null, p.phone ?? null],
  );
  const row = rows[0]!;
  return { profile: toProfile(row), created: row.created };
}

/** The profiles a batch's orders bring, in one statement (the first of a customer in it wins). */
const profileRows = new RowBatch<[customerId: string, email: string]>({
  types: ['text', 'text'],
  sql: (rows) => `INSERT INTO customers (customer_id, email) SELECT * FROM ${rows} ON CONFLICT (customer_id) DO NOTHING`,
});

/**
 * The profile an order brings with it, for a customer not seen before; an existing profile is left
 * as it is. Nothing reads the result, so it goes with the COMMIT.
 */
export function queueProfile(tx: Tx, customerId: string, email: string): void {
  tx.queueRowForCommit(profileRows, [customerId, email]);
}
