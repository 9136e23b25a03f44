import { randomBytes } from 'node:crypto';
import {
  consoleAccess,
  consumerQueues,
  deadLetterQueue,
  exchanges,
  publishers,
  type SagaMode,
  type ServiceName,
  streamReaders,
  subscribed,
  topology,
} from '@orderly/events';
import { applyPolicies, assertTopology } from '@orderly/platform';
import { drainQueue, publishRaw } from '@orderly/platform/testing';
import { allServices, customer, Stack } from '@orderly/testkit';
import amqp from 'amqplib';
import test from 'ava';
import { resolveEnv } from '../contracts/env.js';
import { serviceRunBy, workloads } from '../contracts/workloads.js';
import { helmTemplate } from '../helm.js';
import type { Manifest } from '../manifest.js';

/**
 * The broker permissions the chart renders, tried on the real broker: the topology declared by an
 * administrator (the Topology Operator's part), then all seven services started as their own users
 * with exactly the rendered Permission and the rendered BROKER_DECLARE_TOPOLOGY. An order travels
 * to DELIVERED, a malformed message is parked by its consumers through orderly.dlx, and what a
 * service must not do (declare, write elsewhere) is refused. The console's rendered Permission too:
 * it consumes every DLQ and writes every retry exchange (a redrive), and nothing else.
 */
const profiles: Record<SagaMode, string> = {
  choreography: 'charts/orderly/ci/defaults-values.yaml',
  orchestration: 'charts/orderly/ci/orchestration-values.yaml',
};

interface Access {
  permissions: { configure: string; write: string; read: string };
  env: Record<string, string>;
}

/** Per service: the Permission of its Deployment's broker user, and the broker variables it gets. */
function renderedAccess(manifests: Manifest[]): Map<string, Access> {
  const out = new Map<string, Access>();
  for (const w of workloads(manifests, ['Deployment'])) {
    const c = w.pod.containers[0]!;
    if (!serviceRunBy(c)) continue; // the demo identity provider uses no broker
    const secret = c.env?.find((v) => v.name === 'AMQP_URL')?.valueFrom?.secretKeyRef?.name;
    const user = manifests.find(
      (m) => m.kind === 'User' && (m.spec as { importCredentialsSecret: { name: string } }).importCredentialsSecret.name === secret,
    );
    const permission = manifests.find(
      (m) => m.kind === 'Permission' && (m.spec as { userReference: { name: string } }).userReference.name === user?.metadata.name,
    );
    if (!permission) throw new Error(`no Permission for ${w.manifest.metadata.name}`);
    const { env } = resolveEnv(c.env ?? [], manifests);
    const broker = Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('BROKER_') || k === 'SAGA_MODE'));
    out.set(serviceRunBy(c)!, { permissions: (permission.spec as Access).permissions, env: broker });
  }
  return out;
}

for (const mode of ['choreography', 'orchestration'] as const) {
  test(`when every service runs as its own broker user with the chart's Permission (${mode}), then an order is delivered and failures reach the DLQ`, async (t) => {
    const access = renderedAccess(await helmTemplate({ name: mode, valuesFile: profiles[mode] }));
    t.deepEqual([...access.keys()].sort(), [...allServices, 'console'].sort());
    const stack = await Stack.create(`permissions_${mode}`);
    const users: string[] = [];
    try {
      const { env } = stack;
      const definition = topology({ mode, deliveryLimit: 20 });
      const admin = await amqp.connect(env.amqpUrl);
      await assertTopology(admin, definition);
      await admin.close();
      await applyPolicies(env.managementUrl, env.vhost, definition.policies);

      const urlOf = new Map<string, string>();
      for (const [service, a] of access) {
        const user = `${env.vhost}_${service}`;
        const password = randomBytes(12).toString('hex');
        users.push(user);
        await must(env.management(`api/users/${user}`, { method: 'PUT', body: JSON.stringify({ password, tags: '' }) }));
        await must(env.management(`api/permissions/${env.vhost}/${user}`, { method: 'PUT', body: JSON.stringify(a.permissions) }));
        const url = new URL(env.amqpUrl);
        url.username = user;
        url.password = password;
        urlOf.set(service, url.toString());
      }
      for (const [service, a] of access) {
        t.is(a.env.BROKER_DECLARE_TOPOLOGY, 'false');
        if (service === 'console') continue; // its rights are tried below, not by running it
        // RABBITMQ_MANAGEMENT_URL blank: the Policy resources own the policies, as on Kubernetes.
        await stack.start([service as never], { ...a.env, AMQP_URL: urlOf.get(service)!, RABBITMQ_MANAGEMENT_URL: '' });
      }

      const { body } = await stack.placeOrder({ ...customer(1), items: [{ sku: 'BOOK-ALICE', qty: 1 }], paymentMethod: 'pm_card_visa' });
      t.is((await stack.orderReaches(body.orderId, ['DELIVERED', 'REJECTED', 'CANCELLED'])).status, 'DELIVERED');

      // A malformed order.placed: each of its consumers parks it in its DLQ through orderly.dlx.
      await publishRaw(env, exchanges.events, 'order.placed', '{not json', { type: 'order.placed' });
      const { bindings, queues } = topology({ mode, deliveryLimit: 20 });
      const streamNames = queues.filter((q) => q.type === 'stream').map((q) => q.name);
      const parkers = [
        ...bindings
          .filter((b) => b.source === exchanges.events && ['order.placed', '#'].includes(b.routingKey))
          .filter((b) => !streamNames.includes(b.destination))
          .map((b) => `${b.destination}.dlq`),
        // The stream's readers of order.placed park it in their own DLQs.
        ...streamReaders(mode)
          .filter((q) => subscribed(q.subscriptions, exchanges.events, 'order.placed'))
          .map((q) => deadLetterQueue(q.queue)),
      ];
      t.true(parkers.length > 0);
      for (const dlq of parkers) {
        const parked = await waitForMessages(stack, dlq);
        t.is(parked.length, 1, `${dlq}: the malformed message parked once`);
      }

      // What the Permission must refuse: declaring anything, writing to another service's exchange.
      const asCustomer = await amqp.connect(urlOf.get('customer')!);
      const refused = async (what: (ch: amqp.Channel) => Promise<unknown>) => {
        const ch = await asCustomer.createChannel();
        ch.on('error', () => {});
        const err = await t.throwsAsync(what(ch));
        t.regex(String(err?.message), /ACCESS_REFUSED/);
      };
      await refused((ch) => ch.assertQueue('customer.extra', { durable: true }));

      // The console's keeper consumes every DLQ, and no pipeline queue.
      const asConsole = await amqp.connect(urlOf.get('console')!);
      asConsole.on('error', () => {});
      for (const { queue } of consumerQueues(mode)) {
        const ch = await asConsole.createChannel();
        ch.on('error', () => {});
        const { consumerTag } = await ch.consume(deadLetterQueue(queue), () => {});
        await ch.cancel(consumerTag);
        await ch.close();
        const main = await asConsole.createChannel();
        main.on('error', () => {});
        const err = await t.throwsAsync(
          main.consume(queue, () => {}),
          undefined,
          `the console may not consume ${queue}`,
        );
        t.regex(String(err?.message), /ACCESS_REFUSED/);
      }
      await asConsole.close();

      // Each service's credentials publish to what publishers(mode) names and to nothing else
      // (another queue's retry or dead-letter exchange included), and only under their own user_id.
      const allExchanges = definition.exchanges.map((x) => x.name);
      for (const [service, url] of urlOf) {
        const allowed = new Set(service === 'console' ? consoleAccess(mode).publishes : publishers(mode)[service as ServiceName]);
        const conn = await amqp.connect(url);
        const user = decodeURIComponent(new URL(url).username);
        const outcomes: string[] = [];
        for (const exchange of allExchanges) {
          const ch = await conn.createConfirmChannel();
          ch.on('error', () => {});
          // A tx-less confirm: routed nowhere (no binding for this key), so nothing reaches a queue.
          ch.publish(exchange, 'permission.probe', Buffer.from('{}'), { userId: user });
          const refusedHere = await ch.waitForConfirms().then(
            () => false,
            () => true,
          );
          if (!refusedHere) await ch.close().catch(() => {});
          if (refusedHere === allowed.has(exchange)) outcomes.push(`${exchange}: ${refusedHere ? 'refused' : 'allowed'}`);
        }
        t.deepEqual(outcomes, [], `${service} may publish exactly to ${[...allowed].join(', ')}`);
        const forging = await conn.createConfirmChannel();
        forging.on('error', () => {});
        const [first] = [...allowed];
        forging.publish(first!, 'permission.probe', Buffer.from('{}'), {
          userId: `${env.vhost}_order` === user ? `${env.vhost}_audit` : `${env.vhost}_order`,
        });
        await t.throwsAsync(forging.waitForConfirms(), undefined, `${service} cannot publish under another user_id`);
        await conn.close().catch(() => {});
      }
      await refused(async (ch) => {
        ch.publish(exchanges.events, 'order.placed', Buffer.from('{}'));
        await ch.checkQueue('customer');
      });
      await asCustomer.close();
    } finally {
      await stack.dispose();
      for (const user of users) await stack.env.management(`api/users/${user}`, { method: 'DELETE' });
    }
  });
}

async function waitForMessages(stack: Stack, queue: string) {
  const deadline = Date.now() + 10_000;
  const taken = [];
  while (Date.now() < deadline && taken.length === 0) {
    taken.push(...(await drainQueue(stack.env, queue)));
    if (taken.length === 0) await new Promise((r) => setTimeout(r, 100));
  }
  return taken;
}

async function must(res: Promise<Response>): Promise<void> {
  const r = await res;
  if (!r.ok) throw new Error(`${r.url}: ${r.status} ${await r.text()}`);
}
