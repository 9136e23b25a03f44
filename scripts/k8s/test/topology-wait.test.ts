import { randomBytes } from 'node:crypto';
import { consumerQueues, publishers, servicePorts, topology } from '@orderly/events';
import { definition as payment } from '@orderly/payment';
import { assertTopology, startService } from '@orderly/platform';
import { serversFromEnv, testIssuer } from '@orderly/platform/testing';
import { freePort } from '@orderly/testkit';
import amqp from 'amqplib';
import test from 'ava';
import pg from 'pg';
// Not exported by @orderly/platform's index (another engineer's file); the module itself.
import { missingTopology } from '../../../services/lib/platform/src/bus/topology.js';
import { helmTemplate } from '../helm.js';
import type { Manifest } from '../manifest.js';
import { amqpUrlFor, type BrokerTarget, brokerTargets, brokerVersion, management, must } from './brokers.js';

/**
 * With the operator owning the topology (BROKER_DECLARE_TOPOLOGY=false) and
 * exactly the Permission the chart grants (configure "^$"), a service finds out whether what it
 * uses exists without declaring anything — so RabbitMQ 4.2.6/4.3.0's configure rule for passive
 * declares cannot refuse it — and, while it does not, stays running and not ready (/readyz 503),
 * then becomes ready once the topology appears. Run against the system broker (3.10) and the
 * chroot's RabbitMQ 4.x (scripts/k8s/servers/up.sh).
 */
const values = { name: 'defaults', valuesFile: 'charts/orderly/ci/defaults-values.yaml' };
let rendered: Promise<Manifest[]> | undefined;
const render = () => {
  rendered ??= helmTemplate(values);
  return rendered;
};
const baseDatabase = serversFromEnv().databaseUrl;

async function chartPermission(service: string) {
  const p = (await render()).find((m) => m.kind === 'Permission' && m.metadata.name === `orderly-${service}-broker-permission`);
  if (!p) throw new Error(`no Permission rendered for ${service}`);
  return (p.spec as { permissions: { configure: string; write: string; read: string } }).permissions;
}

/** A vhost with guest as administrator, and a user per service with the chart's Permission. */
async function brokerFixture(target: BrokerTarget, services: string[]) {
  const vhost = `topowait_${randomBytes(3).toString('hex')}`;
  await must(management(target, `api/vhosts/${vhost}`, { method: 'PUT' }));
  await must(
    management(target, `api/permissions/${vhost}/guest`, {
      method: 'PUT',
      body: JSON.stringify({ configure: '.*', write: '.*', read: '.*' }),
    }),
  );
  const urls = new Map<string, string>();
  for (const service of services) {
    const user = `${vhost}_${service}`;
    const password = randomBytes(12).toString('hex');
    await must(management(target, `api/users/${user}`, { method: 'PUT', body: JSON.stringify({ password, tags: '' }) }));
    const permissions = await chartPermission(service);
    t_assertNoConfigure(permissions.configure);
    await must(management(target, `api/permissions/${vhost}/${user}`, { method: 'PUT', body: JSON.stringify(permissions) }));
    urls.set(service, amqpUrlFor(target, user, password, vhost));
  }
  return {
    vhost,
    urls,
    admin: amqpUrlFor(target, 'guest', 'guest', vhost),
    async cleanup() {
      for (const service of services) await management(target, `api/users/${vhost}_${service}`, { method: 'DELETE' });
      await management(target, `api/vhosts/${vhost}`, { method: 'DELETE' });
    },
  };
}

function t_assertNoConfigure(configure: string) {
  if (configure !== '^$') throw new Error(`the chart now grants configure ${configure}: this test assumes none`);
}

/** What a service uses in choreography: the exchanges it publishes to, the queues it consumes. */
const needsOf = (service: string) => ({
  exchanges: (publishers('choreography') as Record<string, string[]>)[service] ?? [],
  queues: consumerQueues('choreography')
    .filter((c) => c.service === service)
    .map((c) => c.queue),
});

async function readyz(port: number): Promise<number | undefined> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) })).status;
  } catch {
    return undefined;
  }
}

for (const target of brokerTargets) {
  test.serial(
    `[${target.name} broker] with the chart's Permissions, every service's probe reports what is missing, declares nothing and routes nothing`,
    async (t) => {
      t.timeout(120_000);
      const version = await brokerVersion(target);
      t.log(`RabbitMQ ${version}`);
      const services = Object.keys(servicePorts);
      const fx = await brokerFixture(target, services);
      try {
        for (const service of services) {
          const needs = needsOf(service);
          const model = await amqp.connect(fx.urls.get(service)!);
          const missing = await missingTopology(model, needs);
          t.deepEqual(
            missing.sort(),
            [...needs.exchanges.map((e) => `exchange ${e}`), ...needs.queues.map((q) => `queue ${q}`)].sort(),
            service,
          );
          await model.close();
        }
        const admin = await amqp.connect(fx.admin);
        await assertTopology(admin, topology({ mode: 'choreography', deliveryLimit: 20 }));
        // A queue bound to everything: the probe's publish must never reach it.
        const ch = await admin.createChannel();
        await ch.assertQueue('probe.sink', { durable: true });
        await ch.bindQueue('probe.sink', 'orderly.events', '#');
        for (const service of services) {
          const needs = needsOf(service);
          const model = await amqp.connect(fx.urls.get(service)!);
          t.deepEqual(await missingTopology(model, needs), [], `${service}: nothing missing once the topology exists`);
          await model.close();
        }
        t.is((await ch.checkQueue('probe.sink')).messageCount, 0, 'the rolled-back probe publishes routed nothing');
        // What 4.2.6/4.3.0 would refuse (configure for passive declares) is never sent: record how this broker answers one.
        const asPayment = await amqp.connect(fx.urls.get('payment')!);
        const pch = await asPayment.createChannel();
        pch.on('error', () => {});
        const passive = await pch.checkQueue('payment').then(
          () => 'accepted',
          (err: Error) => err.message.split(' - ')[0],
        );
        t.log(`a passive queue.declare with the chart's Permission: ${passive} (the service sends none)`);
        await asPayment.close().catch(() => {});
        await admin.close();
      } finally {
        await fx.cleanup();
      }
    },
  );

  test.serial(
    `[${target.name} broker] when the topology does not exist yet, then the service stays up and not ready, and becomes ready when it appears`,
    async (t) => {
      t.timeout(120_000);
      const fx = await brokerFixture(target, ['payment']);
      const database = `topowait_${randomBytes(3).toString('hex')}`;
      const admin = new pg.Client({ connectionString: baseDatabase });
      await admin.connect();
      await admin.query(`CREATE DATABASE "${database}"`);
      await admin.end();
      const databaseUrl = new URL(baseDatabase);
      databaseUrl.pathname = `/${database}`;
      const port = await freePort();
      let outcome: 'pending' | 'started' | string = 'pending';
      const starting = startService(payment as never, {
        PORT: String(port),
        AMQP_URL: fx.urls.get('payment')!,
        DATABASE_URL: databaseUrl.toString(),
        BROKER_DECLARE_TOPOLOGY: 'false',
        // Few attempts: a service that treated a missing topology as a failed connection would give up within seconds.
        BROKER_CONNECT_ATTEMPTS: '2',
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
        PAYMENT_SUCCESS_RATE: '1',
        ...(await testIssuer()).env,
      }).then(
        (s) => {
          outcome = 'started';
          return s;
        },
        (err: Error) => {
          outcome = `failed: ${err.message}`;
          return undefined;
        },
      );
      try {
        // Not ready, and still running, for a while with no topology.
        const until = Date.now() + 6_000;
        const statuses = new Set<number | undefined>();
        while (Date.now() < until) {
          statuses.add(await readyz(port));
          t.is(outcome, 'pending', 'the service must neither give up nor become ready without its topology');
          await new Promise((r) => setTimeout(r, 250));
        }
        t.true(statuses.has(503), `/readyz answered ${[...statuses].join(', ')}`);
        t.false(statuses.has(200));

        const model = await amqp.connect(fx.admin);
        await assertTopology(model, topology({ mode: 'choreography', deliveryLimit: 20 }));
        await model.close();
        const service = await Promise.race([starting, new Promise<undefined>((r) => setTimeout(() => r(undefined), 45_000))]);
        t.is(outcome, 'started');
        t.is(await readyz(port), 200);
        await service?.stop();
      } finally {
        if (outcome === 'pending') {
          // Let it finish (the topology exists by now, or the test failed): then stop it.
          const s = await Promise.race([starting, new Promise<undefined>((r) => setTimeout(() => r(undefined), 30_000))]);
          await s?.stop();
        }
        await fx.cleanup();
        const c = new pg.Client({ connectionString: baseDatabase });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
        await c.end();
      }
    },
  );
}
