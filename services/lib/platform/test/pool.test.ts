import test from 'ava';
import pg from 'pg';
import { createPool } from '../src/db/pool.js';
import { createTestEnv, type TestEnv } from '../src/testing/index.js';

let env: TestEnv;
test.before(async () => {
  env = await createTestEnv('pool');
});
test.after.always(() => env?.cleanup());

// Found by the chaos run (issue 16): a PostgreSQL crash ended every service with
// "Unhandled 'error' event … Connection terminated unexpectedly" from a client checked out of the pool.
test('when the connection of a checked-out client dies, then the query fails and the process lives on', async (t) => {
  const pool = createPool(env.databaseUrl, 'public', 2);
  t.teardown(() => pool.end());
  const client = await pool.connect();
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');

  // What a PostgreSQL crash does to this connection: the server ends it.
  const admin = new pg.Client({ connectionString: env.databaseUrl });
  await admin.connect();
  t.teardown(() => admin.end());
  await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
  await new Promise((r) => setTimeout(r, 300)); // the 'error' event arrives with the socket's end

  const err = await t.throwsAsync(client.query('SELECT 1'));
  client.release(err);
  t.is((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one, 1, 'the pool hands out a fresh connection');
});
