import { exchanges } from '@orderly/events';
import test from 'ava';
import pg from 'pg';
import { databaseUnavailable } from '../src/db/unavailable.js';
import { startService } from '../src/service.js';
import { consumedCount, createTestEnv, drainQueue, publishRaw, type TestEnv, waitFor } from '../src/testing/index.js';
import { confirmedEvent, consumerService, recorder } from './fixture/service.js';

// Found by the chaos run: while PostgreSQL restarted after a crash, handlers failed
// with "the database system is not yet accepting connections", spent their five attempts in a few
// seconds, and valid messages (an order.placed, an order.rejected) were parked in the DLQ: the
// order was never reserved, the activity log lost an event.

let env: TestEnv;
const cleanups: (() => Promise<unknown>)[] = [];
test.before(async () => {
  env = await createTestEnv('db_outage');
});
test.after.always(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  await env?.cleanup();
});

/** The error a query gets when its backend is ended under it, as by a PostgreSQL shutdown. */
async function terminatedBackendError(): Promise<Error> {
  const victim = new pg.Client({ connectionString: env.databaseUrl });
  victim.on('error', () => undefined);
  await victim.connect();
  const { rows } = await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const admin = new pg.Client({ connectionString: env.databaseUrl });
  await admin.connect();
  const pending = victim.query('SELECT pg_sleep(5)').then(
    () => new Error('the query survived'),
    (err: Error) => err,
  );
  await new Promise((r) => setTimeout(r, 100));
  await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
  await admin.end();
  const err = await pending;
  await victim.end().catch(() => undefined);
  return err;
}

test('database errors that say it cannot be reached are told apart from errors about the work', async (t) => {
  const refused = new pg.Client({ host: '127.0.0.1', port: 1, connectionTimeoutMillis: 2000 });
  const refusedErr = await refused.connect().then(
    () => undefined,
    (err: Error) => err,
  );
  t.true(databaseUnavailable(refusedErr), `refused: ${refusedErr?.message}`);
  const terminated = await terminatedBackendError();
  t.true(databaseUnavailable(terminated), `terminated: ${terminated.message}`);
  t.true(databaseUnavailable(new Error('handler failed', { cause: terminated })), 'as a cause');

  const c = new pg.Client({ connectionString: env.databaseUrl });
  await c.connect();
  const constraint = await c.query('SELECT 1/0').then(
    () => undefined,
    (err: Error) => err,
  );
  await c.end();
  t.false(databaseUnavailable(constraint), 'division by zero is about the work');
  t.false(databaseUnavailable(new Error('payment provider down')));
});

test('when the database is unavailable for longer than the retry budget, then the message waits for it and is handled once, not parked', async (t) => {
  const outage = await terminatedBackendError();
  // Twice as many failures as RETRY_MAX_ATTEMPTS allows, then the database is back.
  const { handler, calls } = recorder((n) => (n <= 6 ? outage : undefined));
  const service = await startService(consumerService(handler), {
    ...env.envFor('audit'),
    RETRY_MAX_ATTEMPTS: '3',
    RETRY_BASE_DELAY_MS: '20',
    RETRY_MAX_DELAY_MS: '80',
  });
  cleanups.push(() => service.stop());
  const event = confirmedEvent();
  await publishRaw(env, exchanges.events, event.type, JSON.stringify(event), { type: event.type, messageId: event.id, as: 'order' });

  await waitFor(async () => ((await consumedCount(service, { outcome: 'ack' })) === 1 ? true : undefined), { timeoutMs: 30_000 });
  t.is(calls(), 7);
  t.is((await service.db.pool.query('SELECT event_id FROM effects')).rows.length, 1);
  t.is(await consumedCount(service, { outcome: 'dead_letter' }), 0);
  t.deepEqual(await drainQueue(env, 'audit.dlq'), []);
});
