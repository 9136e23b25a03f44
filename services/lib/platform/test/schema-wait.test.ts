import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import test from 'ava';
import pg from 'pg';
import { pino } from 'pino';
import { migrate } from '../src/db/migrate.js';
import { createPool } from '../src/db/pool.js';
import type { Logger } from '../src/logger.js';
import { createTestEnv, roleAdministrator, type TestEnv } from '../src/testing/index.js';

/**
 * On Kubernetes the service's schema is provisioned for it (CloudNativePG's Database), and the
 * operator may create it only after the service has started: its role may connect but not
 * create a schema. The service waits for it, saying so, instead of exiting into a crash loop.
 */
let e: TestEnv;
let admin: pg.Client;
test.before(async () => {
  e = await createTestEnv('schema_wait');
  admin = new pg.Client({ connectionString: e.databaseUrl });
  await admin.connect();
});
test.after.always(async () => {
  await admin?.end();
  await e?.cleanup();
});

const migrations = [{ prefix: 'platform', dir: join('services', 'lib', 'platform', 'migrations') }];

/** A login role with no right to create schemas in the database, as CloudNativePG's managed roles are. */
async function serviceRole(): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = `svc_${randomBytes(3).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  // Roles by whoever may create them: the administrator may not (scripts/local/admin.sql).
  // The administrator (the URL's user) may then create its schema, as CloudNativePG does as superuser.
  const administrator = decodeURIComponent(new URL(e.databaseUrl).username);
  await roleAdministrator(e.databaseUrl)(`CREATE ROLE ${name} LOGIN NOINHERIT PASSWORD '${password}'; GRANT ${name} TO "${administrator}"`);
  await admin.query(`REVOKE CREATE ON DATABASE "${e.database}" FROM PUBLIC`);
  const url = new URL(e.databaseUrl);
  url.username = name;
  url.password = password;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      await roleAdministrator(e.databaseUrl)(`DROP SCHEMA IF EXISTS ${name} CASCADE; DROP ROLE IF EXISTS ${name}`);
    },
  };
}

/** The logger's warnings and infos, as their messages (the platform's pino logger, captured). */
function capturingLogger(): { logger: Logger; lines: { level: number; msg: string; delayMs?: number }[] } {
  const lines: { level: number; msg: string; delayMs?: number }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

test('when the schema appears only after a delay, then migrate() waits for it (logging why) and applies the migrations', async (t) => {
  const role = await serviceRole();
  const pool = createPool(role.url, role.name, 2);
  const { logger, lines } = capturingLogger();
  try {
    const started = Date.now();
    const migrating = migrate(pool, role.name, migrations, logger, { timeoutMs: 30_000, baseMs: 200, maxMs: 500 });
    // The operator's reconcile, two seconds later: the schema, owned by the service's role.
    await new Promise((r) => setTimeout(r, 2_000));
    await admin.query(`CREATE SCHEMA ${role.name} AUTHORIZATION ${role.name}`);
    const applied = await migrating;
    t.true(Date.now() - started >= 2_000, 'it waited');
    t.true(applied.includes('platform/001_outbox.sql'), applied.join(', '));
    const waits = lines.filter((l) => l.msg === `schema "${role.name}" not provisioned for this role yet; waiting`);
    t.true(waits.length >= 2, `logged each wait (${waits.length})`);
    t.truthy(lines.find((l) => l.msg === `schema "${role.name}" is there; migrating`));
  } finally {
    await pool.end();
    await role.drop();
  }
});

test('when the schema never appears, then migrate() gives up after its timeout with an error that says what is missing', async (t) => {
  const role = await serviceRole();
  const pool = createPool(role.url, role.name, 2);
  const { logger } = capturingLogger();
  try {
    const started = Date.now();
    const err = await t.throwsAsync(migrate(pool, role.name, migrations, logger, { timeoutMs: 1_500, baseMs: 200, maxMs: 400 }));
    t.regex(
      err!.message,
      new RegExp(`schema "${role.name}" is missing or not this role's after \\d+ s.*permission denied.*Database resource`),
    );
    t.true(Date.now() - started < 10_000, 'bounded');
  } finally {
    await pool.end();
    await role.drop();
  }
});

test('a refusal that is not about the schema is not waited for', async (t) => {
  const { logger } = capturingLogger();
  const url = new URL(e.databaseUrl);
  url.password = 'wrong';
  url.username = 'nobody_here';
  const pool = createPool(url.toString(), 'public', 1);
  pool.on('error', () => {});
  try {
    const started = Date.now();
    await t.throwsAsync(migrate(pool, 'x', migrations, logger, { timeoutMs: 30_000 }));
    t.true(Date.now() - started < 5_000);
  } finally {
    await pool.end();
  }
});
