import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestEnv, serversFromEnv } from '@orderly/platform/testing';
import test from 'ava';
import pg from 'pg';
import { serverEnv } from '../../k8s/test/brokers.ts';
import { credentialHolders, ensureCredentials } from '../credentials.ts';

/**
 * The set-up's administrator steps, on each PostgreSQL Debian ships: 15 (Debian 12, the machine's
 * cluster of scripts/setup.sh) and 17 (Debian 13, the chroot of scripts/k8s/servers/up.sh). As the
 * cluster's superuser, scripts/local/admin.sql creates the administrator (its roles' rights, the
 * grants, the database, the extension), exactly as scripts/setup.sh runs it; then credentials.ts
 * creates each service's role (as the superuser) and schema (as that administrator). The
 * administrator may not create roles nor grant itself the power to run programs or read and write
 * the server's files, and an administrator an earlier set-up left with the well-known
 * password `orderly` and CREATEROLE is rotated and stripped. Each on a role and database of its
 * own, dropped afterwards: the machine's `orderly` is not touched.
 */
const state = process.env.ORDERLY_STATE_DIR ?? '/var/tmp/orderly';
const portOf = (url: string) => new URL(url).port || '5432';
const targets = [
  {
    name: 'system',
    url: serversFromEnv().databaseUrl,
    // Peer authentication on the cluster's socket, as scripts/setup.sh does.
    superuser: (port: string) => ['runuser', '-u', 'postgres', '--', 'psql', '-h', state, '-p', port, '-U', 'postgres'],
  },
  {
    name: 'postgresql17',
    url: serverEnv('postgresql17').DATABASE_URL!,
    // The chroot's socket directory (its /tmp), trusted for local connections.
    superuser: (port: string) => ['psql', '-h', join(state, 'chroots', 'postgresql17', 'tmp'), '-p', port, '-U', 'postgres'],
  },
];
const adminSql = readFileSync(join(import.meta.dirname, '..', 'admin.sql'), 'utf8');

/** The predefined roles that let a role run programs or read and write files as the server's OS user. */
const powers = ['pg_execute_server_program', 'pg_read_server_files', 'pg_write_server_files'];

/** Tries to grant the role each of the powers; per power, 'granted' or the error's SQLSTATE. */
async function grantsItself(db: pg.Client, role: string): Promise<string[]> {
  const outcomes: string[] = [];
  for (const p of powers) {
    outcomes.push(
      await db
        .query(`GRANT ${p} TO ${role}`)
        .then(() => 'granted')
        .catch((err: { code?: string }) => err.code ?? String(err)),
    );
  }
  return outcomes;
}

function urlOf(server: string, user: string, password: string, database: string): string {
  const url = new URL(server);
  url.username = user;
  url.password = password;
  url.pathname = `/${database}`;
  return url.toString();
}

async function asRole<T>(url: string, fn: (db: pg.Client) => Promise<T>): Promise<T> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    return await fn(db);
  } finally {
    await db.end();
  }
}

/** psql as the target cluster's superuser, as scripts/setup.sh runs it. */
function superuserPsql(target: (typeof targets)[number]) {
  const port = portOf(target.url);
  return (args: string[], input = '') => {
    const [cmd, ...rest] = target.superuser(port);
    return execFileSync(cmd!, [...rest, '-qtAX', '-v', 'ON_ERROR_STOP=1', ...args], { input, encoding: 'utf8', stdio: 'pipe' });
  };
}

/** Runs admin.sql as the superuser, as scripts/setup.sh does on every start. */
function runAdminSql(psql: ReturnType<typeof superuserPsql>, role: string, password: string) {
  try {
    psql(['-v', `role=${role}`, '-v', `password=${password}`, '-v', `database=${role}`, '-f', '-'], adminSql);
  } catch (err) {
    throw new Error(`admin.sql failed: ${(err as { stderr?: string }).stderr ?? err}`);
  }
}

for (const target of targets) {
  test.serial(
    `[${target.name} PostgreSQL] the set-up's administrator may neither create roles nor grant itself the power to run programs; each service gets its role and schema`,
    async (t) => {
      t.timeout(120_000);
      const psql = superuserPsql(target);
      const id = randomBytes(3).toString('hex');
      const admin = `adm_${id}`;
      const password = randomBytes(12).toString('hex');
      const rolePrefix = `${admin}_`;
      const e = await createTestEnv('admin_steps');
      const stateDir = await mkdtemp(join(tmpdir(), 'orderly-admin-steps-'));
      t.teardown(async () => {
        const roles = credentialHolders.map((s) => `"${rolePrefix}${s}"`).join(', ');
        psql([
          '-c',
          `DROP DATABASE IF EXISTS ${admin} WITH (FORCE)`,
          '-c',
          `DROP ROLE IF EXISTS ${roles}`,
          '-c',
          `DROP ROLE IF EXISTS ${admin}, ${admin}_x`,
        ]);
        for (const s of credentialHolders) {
          await e.management(`api/users/${encodeURIComponent(`${e.vhost}-adm-${s}`)}`, { method: 'DELETE' }).catch(() => {});
        }
        await rm(stateDir, { recursive: true, force: true });
        await e.cleanup();
      });

      // Twice: the set-up runs on every npm start.
      runAdminSql(psql, admin, password);
      runAdminSql(psql, admin, password);
      t.log(`PostgreSQL ${psql(['-c', 'SHOW server_version']).trim()}`);

      const adminUrl = new URL(urlOf(target.url, admin, password, admin));
      const db = new pg.Client({ connectionString: adminUrl.toString() });
      await db.connect();
      try {
        // With its own credentials, the administrator tries what CREATEROLE allowed on PostgreSQL 15.
        t.deepEqual(
          await grantsItself(db, admin),
          powers.map(() => '42501'),
          'it may grant itself none of them',
        );
        const copy = await db
          .query(`COPY (SELECT 1) TO PROGRAM 'true'`)
          .then(() => 'ran')
          .catch((err: { code?: string }) => err.code);
        t.is(copy, '42501', 'nor run a program');
        const create = await db
          .query(`CREATE ROLE ${admin}_x`)
          .then(() => 'created')
          .catch((err: { code?: string }) => err.code);
        t.is(create, '42501', 'nor create a role');
        const me = (
          await db.query(`SELECT r.rolsuper, r.rolcreaterole, r.rolcreatedb, pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') AS stats,
                               (SELECT datdba::regrole::text FROM pg_database WHERE datname = current_database()) AS owner,
                               (SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements')::int AS ext,
                               (SELECT array_agg(g.rolname::text ORDER BY g.rolname) FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                                 WHERE m.member = r.oid) AS member_of
                          FROM pg_roles r WHERE r.rolname = current_user`)
        ).rows[0];
        t.deepEqual(me, {
          rolsuper: false,
          rolcreaterole: false,
          rolcreatedb: true,
          stats: true,
          owner: admin,
          ext: 1,
          member_of: ['pg_read_all_stats'],
        });
        // The bench's reset of the measured database: allowed (a server without the preload then
        // says so — 55000 — which the bench reports; a refused grant would be 42501).
        const reset = await db
          .query('SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)')
          .then(() => 'ok')
          .catch((err: { code?: string }) => err.code);
        t.true(reset === 'ok' || reset === '55000', `pg_stat_statements_reset as the administrator: ${reset}`);
      } finally {
        await db.end();
      }

      // What npm start's set-up does next: the roles by the superuser, the schemas by the administrator.
      const creds = await ensureCredentials({
        stateDir,
        managementUrl: e.managementUrl,
        vhost: e.vhost,
        adminDatabaseUrl: adminUrl.toString(),
        brokerPrefix: `${e.vhost}-adm-`,
        rolePrefix,
      });
      for (const s of ['order', 'audit']) {
        const url = new URL(adminUrl);
        url.username = creds.database[s]!.role;
        url.password = creds.database[s]!.password;
        const client = new pg.Client({ connectionString: url.toString() });
        await client.connect();
        try {
          await client.query(`CREATE TABLE "${s}".mine (id int)`);
          const other = s === 'order' ? 'audit' : 'order';
          const err = await t.throwsAsync(client.query(`CREATE TABLE "${other}".intruder (id int)`));
          t.is((err as { code?: string }).code, '42501', `${s} may not create in ${other}'s schema`);
        } finally {
          await client.end();
        }
      }
    },
  );
}

for (const target of targets) {
  test.serial(
    `[${target.name} PostgreSQL] an earlier set-up's administrator with the well-known password and CREATEROLE is rotated and loses what it granted itself`,
    async (t) => {
      t.timeout(60_000);
      const psql = superuserPsql(target);
      const admin = `adm_${randomBytes(3).toString('hex')}`;
      t.teardown(() => {
        psql(['-c', `DROP DATABASE IF EXISTS ${admin} WITH (FORCE)`, '-c', `DROP ROLE IF EXISTS ${admin}`]);
      });
      // As an earlier set-up left it: `orderly`/`orderly`, CREATEDB CREATEROLE — with which,
      // on PostgreSQL 15, it (or anyone who knows the password) grants itself the power to run programs.
      psql(['-c', `CREATE ROLE ${admin} LOGIN CREATEDB CREATEROLE PASSWORD 'orderly'`]);
      const oldUrl = urlOf(target.url, admin, 'orderly', 'postgres');
      const grabbed = await asRole(oldUrl, (db) => grantsItself(db, admin));
      t.log(`PostgreSQL ${psql(['-c', 'SHOW server_version']).trim()}: granting itself ${powers.join(', ')}: ${grabbed.join(', ')}`);

      const password = randomBytes(12).toString('hex');
      runAdminSql(psql, admin, password);

      const old = await asRole(oldUrl, async () => 'signed in').catch((err: { code?: string }) => err.code);
      t.is(old, '28P01', 'the well-known password no longer signs in');
      const now = await asRole(urlOf(target.url, admin, password, admin), async (db) => {
        const { rows } = await db.query(
          `SELECT r.rolcreaterole, (SELECT array_agg(g.rolname::text ORDER BY g.rolname) FROM pg_auth_members m
                                   JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid) AS member_of
           FROM pg_roles r WHERE r.rolname = current_user`,
        );
        return { ...rows[0], grants: await grantsItself(db, admin) };
      });
      t.deepEqual(now, { rolcreaterole: false, member_of: ['pg_read_all_stats'], grants: powers.map(() => '42501') });
    },
  );
}
