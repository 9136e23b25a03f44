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
 * grants, the database, the extension), exactly as scripts/setup.sh runs it; then, as that
 * administrator, credentials.ts creates each service's role and schema. Each on a role and database
 * of its own, dropped afterwards: the machine's `orderly` is not touched.
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

for (const target of targets) {
  test.serial(`[${target.name} PostgreSQL] the set-up's administrator creates each service's role and schema`, async (t) => {
    t.timeout(120_000);
    const port = portOf(target.url);
    const psql = (args: string[], input = '') => {
      const [cmd, ...rest] = target.superuser(port);
      return execFileSync(cmd!, [...rest, '-qtAX', '-v', 'ON_ERROR_STOP=1', ...args], { input, encoding: 'utf8', stdio: 'pipe' });
    };
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
        `DROP ROLE IF EXISTS ${admin}`,
      ]);
      for (const s of credentialHolders) {
        await e.management(`api/users/${encodeURIComponent(`${e.vhost}-adm-${s}`)}`, { method: 'DELETE' }).catch(() => {});
      }
      await rm(stateDir, { recursive: true, force: true });
      await e.cleanup();
    });

    // Twice: the set-up runs on every npm start.
    const vars = ['-v', `role=${admin}`, '-v', `password=${password}`, '-v', `database=${admin}`, '-f', '-'];
    for (let i = 0; i < 2; i++) {
      try {
        psql(vars, adminSql);
      } catch (err) {
        throw new Error(`admin.sql failed: ${(err as { stderr?: string }).stderr ?? err}`);
      }
    }
    t.log(`PostgreSQL ${psql(['-c', 'SHOW server_version']).trim()}`);

    const adminUrl = new URL(target.url);
    adminUrl.username = admin;
    adminUrl.password = password;
    adminUrl.pathname = `/${admin}`;
    const db = new pg.Client({ connectionString: adminUrl.toString() });
    await db.connect();
    try {
      const me = (
        await db.query(`SELECT r.rolsuper, r.rolcreaterole, r.rolcreatedb, pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') AS stats,
                               (SELECT datdba::regrole::text FROM pg_database WHERE datname = current_database()) AS owner,
                               (SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements')::int AS ext
                          FROM pg_roles r WHERE r.rolname = current_user`)
      ).rows[0];
      t.deepEqual(me, { rolsuper: false, rolcreaterole: true, rolcreatedb: true, stats: true, owner: admin, ext: 1 });
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

    // As that administrator (no superuser), what npm start's set-up does next.
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
  });
}
