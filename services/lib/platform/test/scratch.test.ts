import { randomBytes } from 'node:crypto';
import test from 'ava';
import pg from 'pg';
import { managementClient } from '../src/bus/management.js';
import { createScratch, serversFromEnv } from '../src/testing/index.js';

const servers = serversFromEnv();
const vhostExists = async (name: string) =>
  (await managementClient(servers.managementUrl).request(`api/vhosts/${encodeURIComponent(name)}`)).ok;
const databaseExists = async (name: string) => {
  const c = new pg.Client({ connectionString: servers.databaseUrl });
  await c.connect();
  try {
    return (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
  } finally {
    await c.end();
  }
};

test('when a named scratch is replaced, then a leftover of that name is dropped first; drop removes both, even with a client still connected', async (t) => {
  const name = `scratch_test_${randomBytes(3).toString('hex')}`;
  const first = await createScratch(name, servers);
  t.teardown(() => first.drop().catch(() => undefined));
  const c = new pg.Client({ connectionString: first.databaseUrl });
  await c.connect();
  await c.query('CREATE TABLE leftover (id int)');
  await c.end();

  const second = await createScratch(name, servers, { replace: true });
  t.is(second.databaseUrl, first.databaseUrl);
  t.true(second.amqpUrl.endsWith(`/${name}`));
  const again = new pg.Client({ connectionString: second.databaseUrl });
  again.on('error', () => {}); // ended by the drop below
  await again.connect();
  t.is((await again.query(`SELECT 1 FROM pg_tables WHERE tablename = 'leftover'`)).rowCount, 0);
  t.true(await vhostExists(name));

  await second.drop(); // `again` is still connected: FORCE ends it
  await again.end().catch(() => undefined);
  t.false(await databaseExists(name));
  t.false(await vhostExists(name));
  await t.notThrowsAsync(second.drop(), 'dropping what is gone is no error');
});

test('when a scratch of that name exists and replace is not asked, then creating it fails', async (t) => {
  const name = `scratch_test_${randomBytes(3).toString('hex')}`;
  const s = await createScratch(name, servers);
  t.teardown(() => s.drop());
  await t.throwsAsync(createScratch(name, servers));
  t.true(await vhostExists(name), 'the existing one is left alone');
});
