import { randomBytes } from 'node:crypto';
import test from 'ava';
import pg from 'pg';
import { readCredentials, serviceEnv } from '../../local/credentials.ts';
import { runCleanup } from '../cleanup.ts';
import { useFreshTarget } from '../fresh-target.ts';
import { benchServers } from '../rabbit-api.ts';

// The bench's own stack runs every service as its own database role in a fresh database; a role
// without its schema there cannot migrate, and the stack never starts (found when the bench failed
// with "permission denied for database orderly_bench").
test('when the bench makes its fresh database, then each service role can migrate its own schema there, and the bench can read its statements', async (t) => {
  const admin = { DATABASE_URL: process.env.DATABASE_URL, AMQP_URL: process.env.AMQP_URL };
  const adminDatabaseUrl = benchServers().databaseUrl;
  t.teardown(async () => {
    await runCleanup();
    for (const [key, value] of Object.entries(admin)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
  const target = await useFreshTarget(`orderly_bench_test_${randomBytes(3).toString('hex')}`);
  const creds = await readCredentials();
  for (const service of ['order', 'audit', 'console']) {
    const { DATABASE_URL } = serviceEnv(creds, service, { amqpUrl: process.env.AMQP_URL!, databaseUrl: process.env.DATABASE_URL! });
    const db = new pg.Client({ connectionString: DATABASE_URL });
    await db.connect();
    try {
      t.is((await db.query('SELECT current_database() AS d')).rows[0].d, target.database);
      await db.query(`CREATE TABLE "${service}".migrated (id int)`);
      const other = service === 'order' ? 'audit' : 'order';
      await t.throwsAsync(
        db.query(`CREATE TABLE "${other}".intruder (id int)`),
        { message: /permission denied/ },
        `${service} cannot write ${other}'s schema`,
      );
    } finally {
      await db.end();
    }
  }
  // The bench's statement table reads every role's statements as the administrator (setup.sh grants
  // it pg_read_all_stats); without that each one would show as "<insufficient privilege>".
  const stats = new pg.Client({ connectionString: adminDatabaseUrl });
  await stats.connect();
  try {
    const { rows } = await stats.query<{ query: string }>(
      `SELECT query FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname = $1 AND s.dbid = (SELECT oid FROM pg_database WHERE datname = $2)`,
      [creds.database.audit!.role, target.database],
    );
    t.true(rows.length > 0, 'the audit role ran statements in the fresh database');
    t.false(
      rows.some((r) => r.query === '<insufficient privilege>'),
      rows.map((r) => r.query).join('; '),
    );
  } finally {
    await stats.end();
  }
});
