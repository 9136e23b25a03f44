/**
 * Local credentials, as the chart has them: a broker user `orderly-<service>` per
 * service with exactly the Permission charts/orderly/templates/broker-access.yaml grants (configure
 * nothing, write the exchanges publishers(mode) names, read its own queues), and a PostgreSQL login
 * role `orderly_<service>` per service that owns only its own schema (the chart's CloudNativePG
 * managed roles). The operations console likewise: `orderly-console` with consoleAccess(mode) (read
 * every DLQ, write every retry exchange and its events' exchange) and `orderly_console`. Passwords are generated once and kept in `<stateDir>/credentials/local.json`
 * (mode 0600); nothing here has a default password.
 *
 * The roles are created by whoever may (roleAdministrator: the local clusters' superuser over their
 * socket), their schemas by the administrator that owns the database, which may not create roles.
 *
 * Services declare nothing (BROKER_DECLARE_TOPOLOGY=false, as on Kubernetes): prepareBroker() is
 * the one administrator step that declares the topology of a saga mode and applies its policies
 * before the services start — so a service's rights are the chart's, not "configure its own too".
 *
 * Used by scripts/setup.sh (`node --conditions=source --import tsx scripts/local/credentials.ts`),
 * by the local stack (npm start, the demo, the bench) and by any harness that runs its own servers:
 *
 *   const creds = await ensureCredentials({ stateDir, managementUrl, adminDatabaseUrl, vhost });
 *   await prepareBroker({ adminAmqpUrl, managementUrl, mode });         // each start, per saga mode
 *   env = serviceEnv(creds, service, { amqpUrl, databaseUrl });         // that service's env
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type SagaMode, topologyModeOf } from '@orderly/events';
import { managementClient, vhostOf } from '@orderly/platform';
import { roleAdministrator, type SqlRunner } from '@orderly/platform/testing';
import pg from 'pg';
import { brokerUser, credentialHolders, databaseRole } from './credential-holders.ts';
import { prepareBroker } from './prepare-broker.ts';
import { startsSwitching } from './saga-switch.ts';
import { serviceRolesSql } from './service-roles.ts';

export { brokerUser, type CredentialHolder, credentialHolders, databaseRole, serviceNames } from './credential-holders.ts';
export { type PrepareOptions, permissionOf, prepareBroker } from './prepare-broker.ts';

export interface Credentials {
  /** The file the passwords are kept in. */
  file: string;
  broker: Record<string, { user: string; password: string }>;
  database: Record<string, { role: string; password: string }>;
}

export interface EnsureOptions {
  /** Where the passwords are kept (ORDERLY_STATE_DIR, default /var/tmp/orderly). */
  stateDir?: string;
  /** The broker's management API with an administrator's credentials. */
  managementUrl: string;
  vhost: string;
  /** A database URL whose role owns the database (the local administrator, or a superuser's). */
  adminDatabaseUrl: string;
  /** Who creates the roles and sets their passwords. By default roleAdministrator(adminDatabaseUrl):
   * the superuser of a local cluster over its socket, else the URL's user (who then needs CREATEROLE). */
  roleAdmin?: SqlRunner;
  /** Broker user and database role prefixes (default `orderly-`, `orderly_`). */
  brokerPrefix?: string;
  rolePrefix?: string;
}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** Reads the passwords, generating (once) and saving any that are missing; mode 0600. */
async function passwords(stateDir: string, brokerPrefix: string, rolePrefix: string): Promise<Credentials> {
  const dir = join(stateDir, 'credentials');
  const file = join(dir, 'local.json');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  let saved: Partial<Credentials> = {};
  try {
    saved = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${file}: ${(err as Error).message}`);
  }
  const creds: Credentials = { file, broker: { ...saved.broker }, database: { ...saved.database } };
  let changed = false;
  // Hex: safe inside a URL and a SQL literal without escaping.
  const secret = () => randomBytes(18).toString('hex');
  for (const s of credentialHolders) {
    if (!creds.broker[s]) {
      creds.broker[s] = { user: brokerUser(s, brokerPrefix), password: secret() };
      changed = true;
    }
    if (!creds.database[s]) {
      creds.database[s] = { role: databaseRole(s, rolePrefix), password: secret() };
      changed = true;
    }
  }
  if (changed) {
    const tmp = `${file}.${process.pid}`;
    await writeFile(tmp, `${JSON.stringify({ broker: creds.broker, database: creds.database }, null, 2)}\n`, { mode: 0o600 });
    await rename(tmp, file);
  }
  await chmod(file, 0o600);
  return creds;
}

/**
 * Idempotent: the vhost, a broker user per service (its password set to the saved one, no rights
 * yet — prepareBroker() grants the mode's), and a login role per service owning its own schema
 * (objects an earlier run created as another role in that schema are handed over to it).
 */
export async function ensureCredentials(options: EnsureOptions): Promise<Credentials> {
  const stateDir = options.stateDir ?? process.env.ORDERLY_STATE_DIR ?? '/var/tmp/orderly';
  const creds = await passwords(stateDir, options.brokerPrefix ?? 'orderly-', options.rolePrefix ?? 'orderly_');

  const api = managementClient(options.managementUrl, 30_000).json;
  await api('PUT', `api/vhosts/${encodeURIComponent(options.vhost)}`, {});
  for (const s of credentialHolders) {
    const { user, password } = creds.broker[s]!;
    await api('PUT', `api/users/${encodeURIComponent(user)}`, { password, tags: '' });
  }

  // The roles, by whoever may create them (the local administrator may not: scripts/local/admin.sql).
  const administrator = decodeURIComponent(new URL(options.adminDatabaseUrl).username);
  const roles = credentialHolders.map((s) => creds.database[s]!);
  await (options.roleAdmin ?? roleAdministrator(options.adminDatabaseUrl))(serviceRolesSql(roles, administrator));

  // Their schemas, as the administrator (owner of the database, a member of each role).
  const db = new pg.Client({
    connectionString: options.adminDatabaseUrl,
    connectionTimeoutMillis: 15_000,
    application_name: 'orderly-credentials',
  });
  await db.connect();
  try {
    const database = (await db.query('SELECT current_database() AS d')).rows[0].d as string;
    for (const s of credentialHolders) {
      const { role } = creds.database[s]!;
      await db.query(`REVOKE ALL ON DATABASE ${ident(database)} FROM ${ident(role)}`);
      await db.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${ident(database)} TO ${ident(role)}`);
      await db.query(`CREATE SCHEMA IF NOT EXISTS ${ident(s)} AUTHORIZATION ${ident(role)}`);
      await db.query(`ALTER SCHEMA ${ident(s)} OWNER TO ${ident(role)}`);
      // A schema an earlier run migrated as the shared role: its tables, sequences, views and
      // functions move to the service's role, so its migrations and queries keep working.
      const objects = await db.query(
        `SELECT format('ALTER %s %I.%I OWNER TO %I', CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                  WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, n.nspname, c.relname, $2::text) AS sql
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
            AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = $2)
            AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i') AND c.relkind = 'S')
         UNION ALL
         SELECT format('ALTER ROUTINE %I.%I(%s) OWNER TO %I', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), $2::text)
           FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
          WHERE n.nspname = $1 AND p.proowner <> (SELECT oid FROM pg_roles WHERE rolname = $2)`,
        [s, role],
      );
      for (const { sql } of objects.rows) await db.query(sql);
    }
  } finally {
    await db.end();
  }
  return creds;
}

/**
 * A service's own connection settings: the given administrator URLs with the service's user or
 * role and password instead, no topology declaration (prepareBroker() did it), and the console's
 * user as the one whose redriven copies it trusts (BROKER_REDRIVE_USER, as the chart sets it).
 */
export function serviceEnv(creds: Credentials, service: string, admin: { amqpUrl: string; databaseUrl: string }): Record<string, string> {
  const broker = creds.broker[service];
  const database = creds.database[service];
  if (!broker || !database) throw new Error(`no local credentials for ${service} in ${creds.file}: run scripts/setup.sh`);
  const amqpUrl = new URL(admin.amqpUrl);
  amqpUrl.username = encodeURIComponent(broker.user);
  amqpUrl.password = broker.password;
  const databaseUrl = new URL(admin.databaseUrl);
  databaseUrl.username = encodeURIComponent(database.role);
  databaseUrl.password = database.password;
  return {
    AMQP_URL: amqpUrl.toString(),
    DATABASE_URL: databaseUrl.toString(),
    BROKER_DECLARE_TOPOLOGY: 'false',
    ...(creds.broker.console ? { BROKER_REDRIVE_USER: creds.broker.console.user } : {}),
  };
}

/** The saved passwords, without touching any server (the local stack; setup.sh created them). */
export async function readCredentials(stateDir = process.env.ORDERLY_STATE_DIR ?? '/var/tmp/orderly'): Promise<Credentials> {
  const file = join(stateDir, 'credentials', 'local.json');
  let saved: Partial<Credentials>;
  try {
    saved = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read the local credentials (${(err as Error).message}): run scripts/setup.sh`);
  }
  return { file, broker: saved.broker ?? {}, database: saved.database ?? {} };
}

// scripts/setup.sh: node --conditions=source --import tsx scripts/local/credentials.ts
if (import.meta.url === `file://${process.argv[1]}`) {
  const admin = await adminOf({});
  const creds = await ensureCredentials({
    managementUrl: admin.RABBITMQ_MANAGEMENT_URL,
    vhost: vhostOf(admin.AMQP_URL),
    adminDatabaseUrl: admin.DATABASE_URL,
  });
  console.log(`▸ a broker user and a database role per service (passwords in ${creds.file})`);
}

/** The administrator's URLs: env's, else the environment's, else the local servers' (services.ts). */
export async function adminOf(env: Record<string, string>) {
  const { localAdmin } = await import('./services.ts');
  // Each read only when not given: the local database's reads the generated password's file. The
  // process environment counts at call time, not at import: the bench points it at a fresh vhost
  // and database after this module (and localAdmin) were loaded.
  const given = (key: 'AMQP_URL' | 'DATABASE_URL' | 'RABBITMQ_MANAGEMENT_URL') => env[key] || process.env[key];
  return {
    AMQP_URL: given('AMQP_URL') || localAdmin.AMQP_URL,
    DATABASE_URL: given('DATABASE_URL') || localAdmin.DATABASE_URL,
    RABBITMQ_MANAGEMENT_URL: given('RABBITMQ_MANAGEMENT_URL') || localAdmin.RABBITMQ_MANAGEMENT_URL,
  };
}

/**
 * The local stack's step before it starts the services (startLocalStack): the saved credentials,
 * the broker prepared for the saga mode as administrator, and each service's own env.
 */
export async function localServiceEnv(env: Record<string, string> = {}): Promise<(service: string) => Record<string, string>> {
  const admin = await adminOf(env);
  const mode = (env.SAGA_MODE ?? process.env.SAGA_MODE ?? 'choreography') as SagaMode;
  const creds = await readCredentials();
  const { switching, inFlight } = await startsSwitching(mode, env.SAGA_SWITCHING ?? process.env.SAGA_SWITCHING, admin.DATABASE_URL);
  if (switching && inFlight)
    console.log(`▸ ${inFlight} orders of the other saga mode are still in flight: they finish in it (SAGA_SWITCHING, decision 0022)`);
  await prepareBroker({
    adminAmqpUrl: admin.AMQP_URL,
    managementUrl: admin.RABBITMQ_MANAGEMENT_URL,
    mode: topologyModeOf(mode, switching),
    deliveryLimit: Number(env.DELIVERY_LIMIT ?? process.env.DELIVERY_LIMIT ?? 20),
  });
  return (service) => ({
    ...serviceEnv(creds, service, { amqpUrl: admin.AMQP_URL, databaseUrl: admin.DATABASE_URL }),
    SAGA_SWITCHING: String(switching),
  });
}
