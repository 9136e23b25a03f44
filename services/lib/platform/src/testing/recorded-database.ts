import type pg from 'pg';
import { Database } from '../transaction/transaction.js';

/**
 * A service's database with every statement it sends recorded, on the real server: their texts,
 * and the round trips they took. A round trip starts when a statement is sent while none is
 * outstanding; statements sent before the earlier ones answered (the connection pipelines them)
 * share it.
 */
export function recordedDatabase(pool: pg.Pool, source: string): { db: Database; statements: string[]; roundTrips: () => number } {
  const statements: string[] = [];
  let outstanding = 0;
  let roundTrips = 0;
  const record = (client: pg.Pool | pg.PoolClient) => (config: string | { text: string }, values?: unknown[]) => {
    statements.push(typeof config === 'string' ? config : config.text);
    if (outstanding === 0) roundTrips += 1;
    outstanding += 1;
    const settled = () => {
      outstanding -= 1;
    };
    const answer = client.query(config, values) as unknown as Promise<unknown>;
    answer.then(settled, settled);
    return answer;
  };
  const wrap = <T extends pg.Pool | pg.PoolClient>(target: T, extra: Partial<Record<keyof T, unknown>> = {}): T =>
    new Proxy(target, {
      get: (t, key) => {
        if (key === 'query') return record(t);
        if (key in extra) return extra[key as keyof T];
        const value = Reflect.get(t, key);
        return typeof value === 'function' ? value.bind(t) : value;
      },
    });
  const counted = wrap(pool, { connect: async () => wrap(await pool.connect()) } as Partial<Record<keyof pg.Pool, unknown>>);
  return { db: new Database(counted, source), statements, roundTrips: () => roundTrips };
}
