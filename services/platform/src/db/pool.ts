import pg from 'pg';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

// bigint counts come back as strings by default; ours fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/** A pool whose connections see the service's own schema first: SQL names tables unqualified. */
export function createPool(url: string, schema: string, max: number): Pool {
  return new pg.Pool({
    connectionString: url,
    max,
    options: `-c search_path=${schema}`,
    application_name: `orderly-${schema}`,
  });
}

export function clientConfig(url: string, schema: string): pg.ClientConfig {
  return { connectionString: url, options: `-c search_path=${schema}`, application_name: `orderly-${schema}-listen` };
}
