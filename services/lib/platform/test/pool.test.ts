import test from 'ava';
import pg from 'pg';
import { createPool } from '../src/db/pool.js';
import { createTestEnv, type TestEnv } from '../src/testing/index.js';

let env: TestEnv;
test.before(async () => {
  env = await createTestEnv('pool');
});
test.after.always(() => env?.cleanup());

// Found by the chaos run: a PostgreSQL crash ended every service with
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

// The wrap made before connecting was undone by net.Socket#connect, so every pipelined statement
// cost its own write(2): 30 % of the services' busy CPU in the 100 orders/s profile.
test('statements sent in one turn of the event loop leave in one write', async (t) => {
  const pool = createPool(env.databaseUrl, 'public', 1);
  t.teardown(() => pool.end());
  const client = await pool.connect();
  t.teardown(() => client.release());
  await client.query('SELECT 1');
  // The socket's writes, counted at the Writable hooks every write(2) goes through.
  type Hook = (...args: unknown[]) => unknown;
  const socket = (client as unknown as { connection: { stream: Record<'_write' | '_writev', Hook> } }).connection.stream;
  let writes = 0;
  for (const hook of ['_write', '_writev'] as const) {
    const original = socket[hook];
    socket[hook] = function (this: unknown, ...args: unknown[]) {
      writes++;
      return original.apply(this, args);
    };
  }
  const statements = ['BEGIN', 'SELECT 1', 'SELECT 2', 'SELECT 3', 'COMMIT'];
  await Promise.all(statements.map((text, i) => client.query({ name: `s${i}`, text })));
  t.is(writes, 1, `${statements.length} statements went out in ${writes} writes`);
});
