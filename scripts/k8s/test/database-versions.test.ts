import { randomBytes } from 'node:crypto';
import { createServer, type Server, connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { createLogger, createPool, inboxPartitions, maintainPartitions, migrate, outboxPartitions } from '@orderly/platform';
import { roleAdministrator, serversFromEnv } from '@orderly/platform/testing';
import test from 'ava';
import pg from 'pg';
import { waitForDatabase } from '../../../services/lib/platform/src/db/connect.js';
import { helmTemplate } from '../helm.js';
import { serverEnv } from './brokers.js';

/**
 * The role and grant contract the chart relies on, on the PostgreSQL the chart ships (17, the
 * chroot of scripts/k8s/servers/up.sh) and the system's (15): the CloudNativePG Cluster's managed
 * roles (login, no inherit) and the Database's schemas (each owned by its service's role), then
 * every service's migrations applied as its own role in its own schema, and nothing else allowed.
 * Also: the start-up wait retries a database that is not there yet.
 */
const targets = [
  { name: 'system', url: serversFromEnv().databaseUrl },
  { name: 'postgresql17', url: serverEnv('postgresql17').DATABASE_URL! },
];
const logger = createLogger('database-versions', 'silent');

async function rendered() {
  const manifests = await helmTemplate({ name: 'defaults', valuesFile: 'charts/orderly/ci/defaults-values.yaml' });
  const cluster = manifests.find((m) => m.kind === 'Cluster')!.spec as {
    managed: { roles: { name: string; login: boolean; inherit: boolean; connectionLimit: number }[] };
  };
  const database = manifests.find((m) => m.kind === 'Database')!.spec as { schemas: { name: string; owner: string }[] };
  return { roles: cluster.managed.roles, schemas: database.schemas };
}

const migrationsOf = (service: string) => [
  { prefix: 'platform', dir: join('services', 'lib', 'platform', 'migrations') },
  { prefix: service, dir: join('services', service, 'migrations') },
];

for (const target of targets) {
  test.serial(`[${target.name} PostgreSQL] every service migrates its own schema as its own role, and may touch no other`, async (t) => {
    t.timeout(120_000);
    const { roles, schemas } = await rendered();
    const admin = new pg.Client({ connectionString: target.url, connectionTimeoutMillis: 10_000 });
    admin.on('error', () => {});
    try {
      await admin.connect();
    } catch (err) {
      throw new Error(`${target.name} PostgreSQL does not answer (${(err as Error).message}); start it with scripts/setup.sh --for-tests`);
    }
    const version = (await admin.query('SHOW server_version')).rows[0].server_version as string;
    t.log(`PostgreSQL ${version}`);
    const id = randomBytes(3).toString('hex');
    const db = `grants_${id}`;
    const role = (name: string) => `"${name}_${id}"`;
    const passwords = new Map<string, string>();
    try {
      await admin.query(`CREATE DATABASE ${db}`);
      // The Cluster's managed roles, as CloudNativePG creates them: as superuser (the local
      // administrator may not create roles).
      const administrator = decodeURIComponent(new URL(target.url).username);
      for (const r of roles) {
        const password = randomBytes(8).toString('hex');
        passwords.set(r.name, password);
        await roleAdministrator(target.url)(
          `CREATE ROLE ${role(r.name)} ${r.login ? 'LOGIN' : 'NOLOGIN'} ${r.inherit ? 'INHERIT' : 'NOINHERIT'} CONNECTION LIMIT ${r.connectionLimit} PASSWORD '${password}';
           GRANT ${role(r.name)} TO "${administrator}"`, // CREATE SCHEMA … AUTHORIZATION needs membership.
        );
      }
      const dbAdmin = new pg.Client({ connectionString: withDb(target.url, db) });
      dbAdmin.on('error', () => {});
      await dbAdmin.connect();
      try {
        for (const s of schemas) await dbAdmin.query(`CREATE SCHEMA "${s.name}" AUTHORIZATION ${role(s.owner)}`);
      } finally {
        await dbAdmin.end();
      }

      for (const s of schemas) {
        const url = withUser(withDb(target.url, db), `${s.owner}_${id}`, passwords.get(s.owner)!);
        const pool = createPool(url, s.name, 2);
        pool.on('error', () => {});
        try {
          const applied = await migrate(pool, s.name, migrationsOf(s.name), logger);
          t.true(applied.length > 0, `${s.name}: migrations applied`);
          const tables = await pool.query('SELECT count(*) AS n FROM pg_tables WHERE schemaname = $1', [s.name]);
          t.true(tables.rows[0].n > 0);
          // The role makes and drops its inbox's and outbox's partitions at run time (decision 0032).
          const partitioned = [inboxPartitions(168), outboxPartitions];
          const partitions = async () =>
            (
              await pool.query(
                `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                  WHERE c.relnamespace = $1::regnamespace AND c.relname ~ '_p[0-9]{10}$'`,
                [s.name],
              )
            ).rows.map((r) => r.relname as string);
          await maintainPartitions(pool, partitioned, logger);
          const made = await partitions();
          await maintainPartitions(pool, partitioned, logger, new Date(Date.now() + 10 * 86_400_000));
          const later = await partitions();
          t.is(made.length, 3 + 4, `${s.name}: the inbox's days and the outbox's hours made as the service's role`);
          t.deepEqual(
            made.filter((p) => later.includes(p)),
            [],
            `${s.name}: and dropped by it once past their retention`,
          );
          await pool.query('LISTEN outbox_probe');
          const other = schemas.find((o) => o.name !== s.name)!;
          const refused = async (sql: string) => {
            const err = await t.throwsAsync(pool.query(sql));
            t.is((err as { code?: string }).code, '42501', `${s.name}: ${sql}`);
          };
          await refused(`CREATE TABLE "${other.name}".intruder (id int)`);
          await refused(`SELECT * FROM "${other.name}".outbox`);
          await refused('CREATE TABLE public.intruder (id int)');
        } finally {
          await pool.end();
        }
      }
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => {});
      for (const r of roles) await roleAdministrator(target.url)(`DROP ROLE IF EXISTS ${role(r.name)}`).catch(() => {});
      await admin.end();
    }
  });
}

test('when the database is not reachable yet, then the start-up waits with back-off and connects once it is', async (t) => {
  // A port that refuses at first, then forwards to the real server: CloudNativePG initialising.
  const upstream = new URL(targets[0]!.url);
  const server: Server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  const url = new URL(upstream);
  url.port = String(port);
  const pool = createPool(url.toString(), 'public', 1);
  pool.on('error', () => {});
  const warnings: string[] = [];
  const log = { ...logger, warn: (o: { reason?: string }) => warnings.push(String(o.reason)), info: () => {} } as never;
  const waiting = waitForDatabase(pool, log, { attempts: 20, baseMs: 100, maxMs: 300 });
  await new Promise((r) => setTimeout(r, 800));
  const proxy = createServer((c) => {
    const s = tcpConnect(Number(upstream.port || 5432), upstream.hostname);
    c.pipe(s).pipe(c);
    s.on('error', () => c.destroy());
    c.on('error', () => s.destroy());
  });
  await new Promise<void>((r) => proxy.listen(port, '127.0.0.1', r));
  try {
    await waiting;
    t.true(warnings.length >= 2, `retried ${warnings.length} times (${warnings[0]})`);
    t.is((await pool.query('SELECT 1 AS one')).rows[0].one, 1);
  } finally {
    await pool.end();
    proxy.close();
  }
  const dead = createPool(url.toString().replace(`:${port}`, ':1'), 'public', 1);
  await t.throwsAsync(waitForDatabase(dead, log, { attempts: 2, baseMs: 10, maxMs: 10 }), { message: /after 2 attempts/ });
  await dead.end();
});

function withDb(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}
function withUser(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = password;
  return u.toString();
}
