import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consumerQueues, publishers, servicePorts } from '@orderly/events';
import { createTestEnv, roleAdministrator } from '@orderly/platform/testing';
import amqp from 'amqplib';
import test from 'ava';
import pg from 'pg';
import { ensureCredentials, prepareBroker, serviceEnv } from '../credentials.ts';

/**
 * The local stack's credentials, on the real servers: a broker user and a database role
 * per service, passwords generated once and kept 0600, each user granted exactly the chart's
 * Permission for the mode by the administrator step, each role the owner of its own schema only.
 * Prefixed per run, so the machine's own `orderly-*` users and `orderly_*` roles are not touched.
 */
test('when the credentials are ensured twice and the broker prepared, then each service has its own least-privilege user and role', async (t) => {
  t.timeout(120_000);
  const e = await createTestEnv('local_credentials');
  const stateDir = await mkdtemp(join(tmpdir(), 'orderly-credentials-'));
  const id = randomBytes(3).toString('hex');
  const brokerPrefix = `${e.vhost}-cred-`;
  const rolePrefix = `cred_${id}_`;
  const services = Object.keys(servicePorts);
  const holders = [...services, 'console'];
  t.teardown(async () => {
    for (const s of holders) {
      await e.management(`api/users/${encodeURIComponent(`${brokerPrefix}${s}`)}`, { method: 'DELETE' }).catch(() => {});
      // Roles are dropped by whoever may (the administrator may not create or drop roles).
      await roleAdministrator(e.databaseUrl)(`DROP OWNED BY "${rolePrefix}${s}" CASCADE; DROP ROLE IF EXISTS "${rolePrefix}${s}"`).catch(
        () => {},
      );
    }
    await rm(stateDir, { recursive: true, force: true });
    await e.cleanup();
  });

  const options = { stateDir, managementUrl: e.managementUrl, vhost: e.vhost, adminDatabaseUrl: e.databaseUrl, brokerPrefix, rolePrefix };
  const first = await ensureCredentials(options);
  const again = await ensureCredentials(options);
  t.deepEqual(again.broker, first.broker, 'passwords generated once');
  t.deepEqual(again.database, first.database);
  t.is((await stat(first.file)).mode & 0o777, 0o600);
  t.false((await readFile(first.file, 'utf8')).includes('guest'));

  await prepareBroker({ adminAmqpUrl: e.amqpUrl, managementUrl: e.managementUrl, mode: 'choreography', brokerPrefix });
  const perms = (await (await e.management(`api/vhosts/${encodeURIComponent(e.vhost)}/permissions`)).json()) as {
    user: string;
    configure: string;
    write: string;
    read: string;
  }[];
  for (const s of services) {
    const p = perms.find((x) => x.user === `${brokerPrefix}${s}`);
    t.truthy(p, `${s} has a Permission`);
    t.is(p!.configure, '^$', `${s} configures nothing`);
    for (const x of publishers('choreography')[s as keyof typeof servicePorts]) t.regex(x, new RegExp(p!.write), `${s} writes ${x}`);
    const own = consumerQueues('choreography').filter((q) => q.service === s);
    for (const q of own) t.regex(q.queue, new RegExp(p!.read), `${s} reads ${q.queue}`);
    t.notRegex('orderly.retry.order', s === 'order' ? /^$/ : new RegExp(p!.write), `${s} cannot write order's retry exchange`);
  }

  // As audit: its own queue, yes; another service's retry exchange or the topology, no.
  const env = serviceEnv(first, 'audit', { amqpUrl: e.amqpUrl, databaseUrl: e.databaseUrl });
  t.is(env.BROKER_DECLARE_TOPOLOGY, 'false');
  t.is(env.BROKER_REDRIVE_USER, `${brokerPrefix}console`, "redriven copies are trusted from the console's user");
  const conn = await amqp.connect(env.AMQP_URL!);
  conn.on('error', () => {});
  try {
    const ch = await conn.createChannel();
    ch.on('error', () => {});
    await ch.checkQueue('audit');
    const refused = await conn.createConfirmChannel();
    refused.on('error', () => {});
    refused.publish('orderly.retry.order', 'order', Buffer.from('{}'));
    await t.throwsAsync(refused.waitForConfirms(), undefined, 'publishing into order through its retry exchange is refused');
    const declare = await conn.createChannel();
    declare.on('error', () => {});
    await t.throwsAsync(declare.assertQueue('audit.intruder'), { message: /ACCESS_REFUSED/ });
  } finally {
    await conn.close().catch(() => {});
  }

  // As the console: every DLQ and every queue's retry exchange (a redrive), but no pipeline queue
  // and no dead-letter exchange.
  const consoleEnv = serviceEnv(first, 'console', { amqpUrl: e.amqpUrl, databaseUrl: e.databaseUrl });
  const asConsole = await amqp.connect(consoleEnv.AMQP_URL!);
  asConsole.on('error', () => {});
  try {
    const ch = await asConsole.createChannel();
    ch.on('error', () => {});
    await ch.consume('payment.dlq', () => {}, { noAck: false });
    const allowed = await asConsole.createConfirmChannel();
    allowed.on('error', () => {});
    allowed.publish('orderly.retry.payment', 'payment.retry', Buffer.from('{}'), { expiration: '0' });
    await t.notThrowsAsync(allowed.waitForConfirms(), 'a redrive through the queue retry exchange');
    const mainQueue = await asConsole.createChannel();
    mainQueue.on('error', () => {});
    await t.throwsAsync(
      mainQueue.consume('payment', () => {}),
      { message: /ACCESS_REFUSED/ },
    );
    const dlx = await asConsole.createConfirmChannel();
    dlx.on('error', () => {});
    dlx.publish('orderly.dlx.payment', 'payment.dlq', Buffer.from('{}'));
    await t.throwsAsync(dlx.waitForConfirms(), undefined, 'writing a dead-letter exchange is refused');
  } finally {
    await asConsole.close().catch(() => {});
  }

  // Each role owns its schema and nothing else.
  for (const s of ['order', 'audit', 'console']) {
    const client = new pg.Client({
      connectionString: serviceEnv(first, s, { amqpUrl: e.amqpUrl, databaseUrl: e.databaseUrl }).DATABASE_URL,
    });
    await client.connect();
    try {
      await client.query(`CREATE TABLE "${s}".mine (id int)`);
      const other = s === 'order' ? 'audit' : 'order';
      for (const sql of [
        `CREATE TABLE "${other}".intruder (id int)`,
        'CREATE TABLE public.intruder (id int)',
        `CREATE DATABASE intruder_${id}`,
      ]) {
        const err = await t.throwsAsync(client.query(sql));
        t.is((err as { code?: string }).code, '42501', `${s}: ${sql}`);
      }
    } finally {
      await client.end();
    }
  }
});
