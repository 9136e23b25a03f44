import test from 'ava';
import { startService } from '../src/service.js';
import { createTestEnv, type TestEnv } from '../src/testing/index.js';
import { consumerService, fixtureConfig, recorder } from './fixture/service.js';

const envs: TestEnv[] = [];
test.after.always(async () => {
  for (const e of envs) await e.cleanup();
});
async function env(name: string) {
  const e = await createTestEnv(name);
  envs.push(e);
  return e;
}

/** Every migration of the fixture's schema, in the order applied. */
const migrations = [
  'audit/001_effects.sql',
  'platform/001_outbox.sql',
  'platform/002_inbox.sql',
  'platform/003_inbox_pruning.sql',
  'platform/004_outbox_no_notify.sql',
  'platform/005_stream_offsets.sql',
  'platform/006_outbox_parked.sql',
  'platform/007_outbox_subject.sql',
  'platform/008_parked_messages.sql',
  'platform/009_partitioned_outbox_inbox.sql',
  'platform/010_stream_offsets_per_stream.sql',
  'platform/011_outbox_confirmed_at.sql',
];

async function connectionsIn(e: TestEnv): Promise<number> {
  const res = await e.management(`api/vhosts/${e.vhost}/connections`);
  return ((await res.json()) as unknown[]).length;
}

test('when MIGRATE_ONLY is set, then the schema is migrated and the service never touches the broker', async (t) => {
  const e = await env('migrate_only');
  const service = await startService(consumerService(recorder().handler), { ...e.envFor('audit'), MIGRATE_ONLY: 'true' });
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: e.databaseUrl });
  await client.connect();
  const { rows } = await client.query('SELECT name FROM audit.schema_migrations ORDER BY name');
  await client.end();
  t.deepEqual(
    rows.map((r) => r.name),
    migrations,
  );
  t.is(await connectionsIn(e), 0);
  const queues = (await (await e.management(`api/queues/${e.vhost}`)).json()) as unknown[];
  t.is(queues.length, 0, 'no topology was declared');
  await service.stop();
});

// A missing operator-owned topology no longer stops the service: it waits not-ready (scripts/k8s/test/topology-wait.test.ts).

test('when the topology exists and is not to be declared, then the service only checks it and runs', async (t) => {
  const e = await env('check_topology');
  const first = await startService(consumerService(), e.envFor('order'));
  await first.stop();
  const checked = await startService(consumerService(recorder().handler), { ...e.envFor('audit'), BROKER_DECLARE_TOPOLOGY: 'false' });
  t.true((await connectionsIn(e)) >= 0);
  const res = await fetch(`http://127.0.0.1:${checked.port}/readyz`);
  t.is(res.status, 200);
  await checked.stop();
});

test('when two replicas migrate the same schema at once, then each migration is applied exactly once', async (t) => {
  const e = await env('concurrent_migrations');
  const vars = { ...e.envFor('audit'), MIGRATE_ONLY: 'true' };
  const [a, b] = await Promise.all([
    startService(consumerService(recorder().handler), vars),
    startService(consumerService(recorder().handler), vars),
  ]);
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: e.databaseUrl });
  await client.connect();
  const { rows } = await client.query('SELECT count(*)::int AS n FROM audit.schema_migrations');
  await client.end();
  t.is(rows[0].n, migrations.length);
  await Promise.all([a.stop(), b.stop()]);
});

test("when the saga mode changes on an existing broker, then the other mode's bindings are removed and only the new ones remain", async (t) => {
  const e = await env('mode_switch');
  const payment = () => ({
    name: 'payment',
    configSchema: fixtureConfig,
    moduleUrl: new URL('./fixture/package.json', import.meta.url).href,
    build: () => ({ consumers: { payment: { '*': recorder().handler } } }),
  });
  const bindingsOfPayment = async () => {
    const res = await e.management(`api/queues/${e.vhost}/payment/bindings`);
    return ((await res.json()) as { source: string; routing_key: string }[])
      .filter((b) => b.source !== '')
      .map((b) => `${b.source} ${b.routing_key}`)
      .sort();
  };
  const choreo = await startService(payment(), { ...e.envFor('payment'), SAGA_MODE: 'choreography' });
  await choreo.stop();
  t.true((await bindingsOfPayment()).includes('orderly.events inventory.reserved'));
  const orch = await startService(payment(), { ...e.envFor('payment'), SAGA_MODE: 'orchestration' });
  await orch.stop();
  t.deepEqual(await bindingsOfPayment(), [
    'orderly.commands payment.charge',
    'orderly.commands payment.refund',
    'orderly.retry.payment payment',
  ]);
});
