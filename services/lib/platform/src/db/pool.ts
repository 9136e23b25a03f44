import { Socket } from 'node:net';
import pg from 'pg';
import { coalesceWrites } from '../throughput/coalesce.js';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

// bigint counts come back as strings by default; ours fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/**
 * A pool whose connections see the service's own schema first: SQL names tables unqualified.
 * `pipeline` false for a pool that streams results through a cursor (pg-query-stream), which the
 * driver's pipeline mode does not take.
 */
export function createPool(url: string, schema: string, max: number, { pipeline = true } = {}): Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    // Connections are kept, not closed after 10 s idle and reopened (a backend start costs the
    // database more than an idle backend does); `max` is what bounds them.
    idleTimeoutMillis: 0,
    // Statements sent together go out together (BEGIN with the inbox claim; the queued writes and
    // the outbox rows with COMMIT): one round trip, with parameters, instead of one each.
    pipeline,
    options: `-c search_path=${schema}`,
    application_name: `orderly-${schema}`,
    // The socket is ours, handed to the driver through its public `stream` option, so that the
    // statements of one event-loop turn go out in one write (decision 7). Only once connected:
    // net.Socket#connect puts the prototype's write back, which silently undid a wrap made before.
    stream: () => {
      const socket = new Socket();
      socket.once('connect', () => coalesceWrites(socket));
      return socket;
    },
  });
  pool.on('connect', (client) => {
    // pg-pool listens for errors only on idle clients. A checked-out client whose connection dies
    // (PostgreSQL restarted, the backend terminated) emits 'error' with nobody listening, and Node
    // ends the process. The query in flight already rejects with the same error, its caller rolls
    // back and retries, and the pool discards the client on release: nothing is left to do here.
    client.on('error', ignoreCheckedOutError);
  });
  return pool;
}

function ignoreCheckedOutError(): void {}
