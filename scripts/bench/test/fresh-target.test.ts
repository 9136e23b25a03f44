import { randomBytes } from 'node:crypto';
import test from 'ava';
import pg from 'pg';
import { readCredentials, serviceEnv } from '../../local/credentials.ts';
import { runCleanup } from '../cleanup.ts';
import { useFreshTarget } from '../fresh-target.ts';

// The bench's own stack runs every service as its own database role in a fresh database; a role
// without its schema there cannot migrate, and the stack never starts (found when the bench failed
// with "permission denied for database orderly_bench").
test('when the bench makes its fresh database, then each service role can migrate its own schema there', async (t) => {
  const admin = { DATABASE_URL: process.env.DATABASE_URL, AMQP_URL: process.env.AMQP_URL };
  t.teardown(async () => {
    await runCleanup();
    Object.assign(process.env, admin);
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
});
