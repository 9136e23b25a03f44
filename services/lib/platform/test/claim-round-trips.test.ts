import test from 'ava';
import type pg from 'pg';
import { scratchPool } from '../src/testing/index.js';
import { Database } from '../src/transaction/transaction.js';

/**
 * A consumer's transaction, counted in round trips to the real database: every hop of an order
 * pays them in its latency. A round trip starts when a statement is sent while none is
 * outstanding; statements sent before the earlier ones answered (the connection pipelines) share it.
 */
function recorded(pool: pg.Pool) {
  let outstanding = 0;
  let roundTrips = 0;
  const statements: string[] = [];
  const counting = (client: pg.PoolClient) =>
    new Proxy(client, {
      get: (target, key) => {
        if (key !== 'query') {
          const value = Reflect.get(target, key);
          return typeof value === 'function' ? value.bind(target) : value;
        }
        return (config: string | { text: string }, values?: unknown[]) => {
          statements.push(typeof config === 'string' ? config : config.text);
          if (outstanding === 0) roundTrips += 1;
          outstanding += 1;
          const answer = target.query(config as string, values) as unknown as Promise<unknown>;
          const settled = () => {
            outstanding -= 1;
          };
          answer.then(settled, settled);
          return answer;
        };
      },
    });
  const proxied = new Proxy(pool, {
    get: (target, key) => {
      if (key === 'connect') return async () => counting(await target.connect());
      const value = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return {
    db: new Database(proxied, 'test'),
    roundTrips: () => roundTrips,
    statements,
    reset: () => {
      roundTrips = 0;
      statements.length = 0;
    },
  };
}

async function database(t: { teardown: (fn: () => Promise<void>) => void }) {
  const pool = await scratchPool(t, 'claim_rt');
  // The inbox as migration 009 leaves it, without the partitions (its default partition is enough here).
  await pool.query(
    'CREATE TABLE inbox (consumer text, event_id uuid, event_at timestamptz, handled_at timestamptz DEFAULT now(), PRIMARY KEY (consumer, event_id, event_at))',
  );
  await pool.query('CREATE TABLE inbox_before_partitions (consumer text, event_id uuid, PRIMARY KEY (consumer, event_id))');
  await pool.query(
    'CREATE TABLE outbox (id bigserial, event_id uuid, exchange text, routing_key text, type text, payload json, trace_context jsonb, subject text)',
  );
  await pool.query('CREATE TABLE notes (id serial PRIMARY KEY, body text)');
  return { pool, ...recorded(pool) };
}

const orderId = crypto.randomUUID();
const rejected = { orderId, customerId: 'C1', email: 'c1@example.com', reason: 'out_of_stock' } as const;

const message = () => {
  const id = crypto.randomUUID();
  return { claim: { consumer: 'notes', eventId: id, eventTime: new Date().toISOString() }, cause: { id, correlationid: orderId } };
};

test('when a consumer handles a new message, then BEGIN, the inbox claim and the handler’s first statement share one round trip', async (t) => {
  const { db, roundTrips, statements } = await database(t);
  const m = message();
  const fresh = await db.handleOnce(m.claim, m.cause, async (tx) => {
    await tx.query('INSERT INTO notes (body) VALUES ($1)', ['first']);
    tx.emit('order.rejected', orderId, rejected);
  });
  t.true(fresh);
  // One for BEGIN + claim + INSERT, one for the outbox row + COMMIT.
  t.is(roundTrips(), 2, statements.join('\n'));
});

test('when a message was handled before, then the work it started is rolled back: nothing kept, emitted or done outside the database', async (t) => {
  const { pool, db, reset } = await database(t);
  const m = message();
  let mailed = 0;
  const work = async (tx: Parameters<Parameters<Database['handleOnce']>[2]>[0]) => {
    await tx.query('INSERT INTO notes (body) VALUES ($1)', ['note']);
    tx.emit('order.rejected', orderId, rejected);
    await tx.outside('a mail', async () => {
      mailed += 1;
    });
  };
  t.true(await db.handleOnce(m.claim, m.cause, work));
  reset();
  t.false(await db.handleOnce(m.claim, m.cause, work), 'the second delivery is a duplicate');
  t.is(mailed, 1, 'the mail went once');
  t.is((await pool.query('SELECT count(*)::int AS n FROM notes')).rows[0].n, 1);
  t.is((await pool.query('SELECT count(*)::int AS n FROM outbox')).rows[0].n, 1);
});

test('when the work of a message handled before fails, then it is still a duplicate, not an error to retry', async (t) => {
  const { pool, db } = await database(t);
  const m = message();
  t.true(await db.handleOnce(m.claim, m.cause, async (tx) => void (await tx.query(`INSERT INTO notes (body) VALUES ('once')`))));
  // What a handler does when the state moved on since: it refuses the message.
  t.false(
    await db.handleOnce(m.claim, m.cause, async (tx) => {
      await tx.query('SELECT 1');
      throw new Error('the order moved on');
    }),
  );
  t.is((await pool.query('SELECT count(*)::int AS n FROM notes')).rows[0].n, 1);
});

test('when a new message’s work fails, then the work’s error is what the caller sees and nothing is kept', async (t) => {
  const { pool, db } = await database(t);
  const m = message();
  await t.throwsAsync(
    db.handleOnce(m.claim, m.cause, async (tx) => {
      await tx.query(`INSERT INTO notes (body) VALUES ('rolled back')`);
      throw new Error('handler failed');
    }),
    { message: 'handler failed' },
  );
  t.is((await pool.query('SELECT count(*)::int AS n FROM notes')).rows[0].n, 0);
  t.is((await pool.query('SELECT count(*)::int AS n FROM inbox')).rows[0].n, 0, 'not claimed: it comes back and runs');
});
