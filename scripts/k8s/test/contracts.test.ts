import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  consoleAccess,
  consumerQueues,
  deadLetterExchange,
  exchanges,
  producerOf,
  publishers,
  retryExchange,
  routeOf,
  type ServiceName,
  sagaModes,
  servicePorts,
} from '@orderly/events';
import { baseConfigSchema } from '@orderly/platform';
import { requiredSettings } from '@orderly/platform/testing';
import test from 'ava';
import { z } from 'zod';
import { accepted, checkAccess, checkRedriveUser } from '../contracts/access.js';
import { envProblems } from '../contracts/config.js';
import { checkNodeMajor, imageNodeMajor, parseDockerfile } from '../contracts/dockerfile.js';
import { expand, resolveEnv } from '../contracts/env.js';
import { checkImages, repositoryOf, skaffoldValues } from '../contracts/images.js';
import { checkMigrations } from '../contracts/migrations.js';
import { checkScaling } from '../contracts/scaling.js';
import { checkTopology } from '../contracts/topology.js';
import { helmTemplate } from '../helm.js';
import type { Manifest } from '../manifest.js';
import { topologyDrift } from '../topology-drift.js';
import { buildTopologyFile, topologyFilePath } from '../topology-file.js';

const schema = baseConfigSchema.extend({
  PORT: baseConfigSchema.shape.PORT.default(8082),
  PAYMENT_SUCCESS_RATE: z.coerce.number().min(0).max(1),
});
const defaults = { name: 'defaults', valuesFile: 'charts/orderly/ci/defaults-values.yaml' };
let rendered: Promise<Manifest[]> | undefined;
const render = () => {
  rendered ??= helmTemplate(defaults);
  return rendered;
};

test('an environment that the schema accepts has no problems', (t) => {
  t.deepEqual(envProblems(schema, { ...requiredSettings, PORT: '8082', PAYMENT_SUCCESS_RATE: '0.9', OTEL_SERVICE_NAME: 'payment' }), []);
});

test('when a variable is misspelt, then it is reported even though zod would drop it silently', (t) => {
  t.deepEqual(envProblems(schema, { ...requiredSettings, PORT: '8082', PAYMENT_SUCCES_RATE: '0.9', PAYMENT_SUCCESS_RATE: '1' }), [
    "PAYMENT_SUCCES_RATE is not a variable of the service's config schema",
  ]);
});

test('when a value is out of range, then the schema message names the variable', (t) => {
  const problems = envProblems(schema, { ...requiredSettings, PORT: '8082', PAYMENT_SUCCESS_RATE: '1.5' });
  t.is(problems.length, 1);
  t.true(problems[0]!.startsWith('PAYMENT_SUCCESS_RATE:'));
});

test('$(VAR) expands like the kubelet: earlier variables only, $$ escapes', (t) => {
  t.is(expand('amqp://$(U):$(P)@h', { U: 'u', P: 'p' }), 'amqp://u:p@h');
  t.is(expand('$(LATER)-$$(U)', { U: 'u' }), '$(LATER)-$(U)');
});

test('env from a Secret the chart does not render is a problem', (t) => {
  const { problems } = resolveEnv([{ name: 'AMQP_URL', valueFrom: { secretKeyRef: { name: 'nope', key: 'url' } } }], []);
  t.deepEqual(problems, ['AMQP_URL: Secret nope key url is not rendered by the chart']);
});

test('the chart renders the code topology; dropping a binding is caught', async (t) => {
  const manifests = await render();
  t.deepEqual(checkTopology(manifests, 'choreography', 20, 'orderly'), []);
  const isDropped = (m: Manifest) => {
    const spec = m.spec as { routingKey: string; destination: string };
    return m.kind === 'Binding' && spec.routingKey === 'order.placed' && spec.destination === 'inventory';
  };
  const withoutOne = manifests.filter((m) => !isDropped(m));
  t.deepEqual(checkTopology(withoutOne, 'choreography', 20, 'orderly'), [
    'binding missing from the chart: {"destination":"inventory","routingKey":"order.placed","source":"orderly.events"}',
  ]);
  t.true(checkTopology(manifests, 'choreography', 7, 'orderly').some((p) => p.includes('"delivery-limit":7')));
});

test('every consuming queue has a ScaledObject; a missing or mis-targeted one is caught', async (t) => {
  const manifests = await render();
  const consumers = consumerQueues('choreography');
  t.deepEqual(checkScaling(manifests, consumers, 'orderly'), []);
  const noPayment = manifests.filter((m) => !(m.kind === 'ScaledObject' && m.metadata.name === 'orderly-payment'));
  t.deepEqual(checkScaling(noPayment, consumers, 'orderly'), ['queue payment: no ScaledObject has a rabbitmq trigger on it']);
  const retargeted = structuredClone(manifests);
  const so = retargeted.find((m) => m.kind === 'ScaledObject' && m.metadata.name === 'orderly-inventory')!;
  (so.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name = 'orderly-payment';
  t.true(checkScaling(retargeted, consumers, 'orderly').some((p) => p.includes('queue inventory is consumed by orderly-inventory')));
});

test('images must be skaffold artifacts; the skaffold value templates are filled in', async (t) => {
  const config = {
    build: { artifacts: [{ image: 'orderly-order' }] },
    deploy: { helm: { releases: [{ setValueTemplates: { 'components.order.image.repository': '{{.IMAGE_REPO_orderly_order}}' } }] } },
  };
  t.deepEqual(skaffoldValues(config), { 'components.order.image.repository': 'orderly-order' });
  t.is(repositoryOf('registry:5000/orderly-order:skaffold@sha256:00'), 'registry:5000/orderly-order');
  const problems = checkImages(await render(), config);
  t.true(problems.some((p) => p.includes('orderly-payment')));
  t.false(problems.some((p) => p.includes('image orderly-order:')));
});

test('the Dockerfile parser inherits ENTRYPOINT and refuses shell-form commands', (t) => {
  const stages = parseDockerfile(
    'FROM node:24 AS runtime\nENTRYPOINT ["node", "--import", "./r.js"]\nFROM runtime AS order\nCMD ["services/order/dist/src/main.js"]\n',
  );
  t.deepEqual(stages.at(-1)?.entrypoint, ['node', '--import', './r.js']);
  t.deepEqual(stages.at(-1)?.cmd, ['services/order/dist/src/main.js']);
  t.throws(() => parseDockerfile('FROM x AS order\nCMD node main.js\n'), { message: /exec form/ });
});

test('the committed topology.json equals what the code generates', async (t) => {
  t.deepEqual(await topologyDrift(), []);
});

test('when the committed topology.json drifts from the code, then the difference is named', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'orderly-topology-'));
  const file = JSON.parse(await readFile(topologyFilePath, 'utf8'));
  file.modes.choreography.bindings[0].routingKey = 'order.cancelled';
  await writeFile(join(dir, 'topology.json'), JSON.stringify(file));
  const drift = await topologyDrift(join(dir, 'topology.json'), buildTopologyFile());
  t.deepEqual(drift, ['$.modes.choreography.bindings[0].routingKey: expected "inventory.reserved", found "order.cancelled"']);
});

test('each Permission allows exactly what its service needs; a wider or narrower one is caught', async (t) => {
  const manifests = await render();
  t.deepEqual(checkAccess(manifests, 'choreography', 'orderly'), []);
  const widened = structuredClone(manifests);
  const perm = widened.find((m) => m.kind === 'Permission' && m.metadata.name === 'orderly-customer-broker-permission')!;
  const spec = perm.spec as { permissions: Record<string, string> };
  spec.permissions.write = '^orderly\\..*';
  spec.permissions.configure = '.*';
  const problems = checkAccess(widened, 'choreography', 'orderly');
  t.true(problems.some((p) => p.includes('configure allows') && p.includes('needs exactly []')));
  t.true(problems.some((p) => p.includes('write allows [orderly.commands, orderly.dlx.audit, orderly.dlx.customer')));
  // In orchestration the order service also sends commands: the choreography Permission is too narrow.
  t.true(checkAccess(manifests, 'orchestration', 'orderly').some((p) => p.includes('order needs exactly [orderly.commands')));
});

test("the console's Permission is checked like a service's: reading a main queue or writing a dead-letter exchange is caught", async (t) => {
  const manifests = structuredClone(await render());
  const perm = manifests.find((m) => m.kind === 'Permission' && m.metadata.name === 'orderly-console-broker-permission')!;
  const spec = perm.spec as { permissions: Record<string, string> };
  t.regex(spec.permissions.read!, /payment\\\.dlq/);
  // Unanchored, as RabbitMQ applies it: every DLQ, and the payment queue itself.
  spec.permissions.read = '\\.dlq$|^payment$';
  spec.permissions.write = spec.permissions.write!.replace(')$', '|orderly\\.dlx\\.payment)$');
  const problems = checkAccess(manifests, 'choreography', 'orderly');
  t.true(problems.some((p) => p.startsWith('Permission/orderly-console-broker-permission read allows') && p.includes(', payment, ')));
  t.true(
    problems.some((p) => p.startsWith('Permission/orderly-console-broker-permission write allows') && p.includes('orderly.dlx.payment')),
  );
  t.is(problems.length, 2);
});

test("every service trusts redriven copies only from the console's own broker user, and from nobody without a console", async (t) => {
  const manifests = structuredClone(await render());
  t.deepEqual(checkRedriveUser(manifests), []);
  const env = (name: string) =>
    (
      manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === name)!.spec as {
        template: { spec: { containers: { env: { name: string; value?: string }[] }[] } };
      }
    ).template.spec.containers[0]!.env;
  env('orderly-payment').find((v) => v.name === 'BROKER_REDRIVE_USER')!.value = 'orderly-payment';
  t.deepEqual(checkRedriveUser(manifests), [
    "Deployment/orderly-payment: BROKER_REDRIVE_USER is orderly-payment, the console's broker user is orderly-console",
  ]);
  const withoutConsole = manifests.filter((m) => !(m.kind === 'Deployment' && m.metadata.name === 'orderly-console'));
  t.true(checkRedriveUser(withoutConsole).some((p) => p.startsWith('Deployment/orderly-audit: BROKER_REDRIVE_USER names orderly-console')));
});

test('a Deployment that would declare the topology itself is caught', async (t) => {
  const manifests = structuredClone(await render());
  const d = manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === 'orderly-audit')!;
  const env = (d.spec as { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } }).template.spec.containers[0]!
    .env;
  env.find((v) => v.name === 'BROKER_DECLARE_TOPOLOGY')!.value = 'true';
  t.deepEqual(checkAccess(manifests, 'choreography', 'orderly'), [
    'Deployment/orderly-audit: BROKER_DECLARE_TOPOLOGY must be "false" (the Topology Operator owns the topology)',
  ]);
});

test('permission regexes are judged by the names they accept, unanchored as RabbitMQ applies them', (t) => {
  t.deepEqual(accepted('^(order)$', ['order', 'order.retry', 'order.dlq']), ['order']);
  t.deepEqual(accepted('order', ['order', 'order.retry']), ['order', 'order.retry']);
  t.deepEqual(accepted('^$', ['order']), []);
  t.regex(String(accepted('(', ['order'])), /not a regular expression/);
});

test('every migration Job sets MIGRATE_ONLY and is applied with the release; a Job without it, or a hook, is caught', async (t) => {
  const manifests = structuredClone(await render());
  t.deepEqual(checkMigrations(manifests), []);
  const migrateJob = (name: string) => manifests.find((m) => m.kind === 'Job' && m.metadata.name.startsWith(`orderly-${name}-migrate-`))!;
  const job = migrateJob('payment');
  const c = (job.spec as { template: { spec: { containers: { env: { name: string }[] }[] } } }).template.spec.containers[0]!;
  c.env = c.env.filter((v) => v.name !== 'MIGRATE_ONLY');
  t.deepEqual(checkMigrations(manifests), [`Job/${job.metadata.name}: MIGRATE_ONLY must be "true" (found undefined)`]);
  const order = migrateJob('order');
  order.metadata.annotations = { 'helm.sh/hook': 'pre-upgrade' };
  t.true(checkMigrations(manifests).some((p) => p.startsWith(`Job/${order.metadata.name}: a Helm hook`)));
  const noShipping = manifests.filter((m) => m !== migrateJob('shipping'));
  t.true(checkMigrations(noShipping).includes('Deployment/orderly-shipping: no migration Job runs shipping'));
});

test('the image and the tests run the same Node major', async (t) => {
  t.is(imageNodeMajor('ARG NODE_IMAGE=node:24-bookworm-slim\nFROM base AS deps\n'), 24);
  t.is(imageNodeMajor('FROM node:22-alpine AS runtime\n'), 22);
  t.deepEqual(await checkNodeMajor('Dockerfile', '24.1.0'), []);
  t.deepEqual(await checkNodeMajor('Dockerfile', '20.19.0'), ['this check runs on Node 20.19.0, the image on Node 24']);
});

/** Message types each service's source emits (tx.emit('type', …)): what publishers() must cover. */
function emittedBy(service: string): string[] {
  const dir = `services/${service}/src`;
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const types = files.flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/\.emit\(\s*'([a-z]+\.[a-z]+)'/g)].map((m) => m[1]!));
  return [...new Set(types)].sort();
}

test("publishers() covers every message a service's code emits; the services that only consume write only retries", (t) => {
  const all = publishers('orchestration');
  for (const service of Object.keys(servicePorts) as ServiceName[]) {
    for (const type of emittedBy(service)) {
      t.is(producerOf(type as never), service, `${type} is emitted by ${service}`);
      t.true(all[service].includes(routeOf(type).exchange), `${service} may write ${routeOf(type).exchange} for ${type}`);
    }
  }
  // The orchestrator emits its commands through a step table, not a literal: they are order's.
  t.true(emittedBy('order').includes('order.placed'));
  // The console's operator-action events go where its Permission (consoleAccess) lets it write.
  const consoleEmits = emittedBy('console');
  t.deepEqual(consoleEmits, ['deadletter.discarded', 'deadletter.redriven', 'deadletter.refused']);
  for (const type of consoleEmits) {
    t.is(producerOf(type as never), 'console', `${type} is emitted by the console`);
    for (const mode of sagaModes)
      t.true(consoleAccess(mode).publishes.includes(routeOf(type).exchange), `console may write ${type} (${mode})`);
  }
  for (const mode of sagaModes) {
    const p = publishers(mode);
    // Each consumer writes only its own queues' retry and dead-letter exchanges: never another service's queue.
    t.deepEqual(p.customer, [deadLetterExchange('customer'), retryExchange('customer')]);
    t.deepEqual(p.audit, [deadLetterExchange('audit'), retryExchange('audit')]);
    // It mails from its own table (decision 0028): no exchange of its own to write.
    t.deepEqual(p.notification, [deadLetterExchange('notification'), retryExchange('notification')]);
    t.is(p.order.includes(exchanges.commands), mode === 'orchestration');
    for (const { service, queue } of consumerQueues(mode)) t.true(p[service as ServiceName].includes(retryExchange(queue)));
    for (const { service, queue } of consumerQueues(mode))
      for (const [other, writes] of Object.entries(p))
        if (other !== service)
          t.false(writes.includes(retryExchange(queue)) || writes.includes(deadLetterExchange(queue)), `${other} → ${queue}`);
  }
});
