import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consumerQueues } from '@orderly/events';
import { baseConfigSchema } from '@orderly/platform';
import test from 'ava';
import { z } from 'zod';
import { envProblems } from '../k8s/contracts/config.js';
import { parseDockerfile } from '../k8s/contracts/dockerfile.js';
import { expand, resolveEnv } from '../k8s/contracts/env.js';
import { checkImages, repositoryOf, skaffoldValues } from '../k8s/contracts/images.js';
import { checkScaling } from '../k8s/contracts/scaling.js';
import { checkTopology } from '../k8s/contracts/topology.js';
import { helmTemplate } from '../k8s/helm.js';
import type { Manifest } from '../k8s/manifest.js';
import { topologyDrift } from '../k8s/topology-drift.js';
import { buildTopologyFile, topologyFilePath } from '../k8s/topology-file.js';

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
  t.deepEqual(envProblems(schema, { PORT: '8082', PAYMENT_SUCCESS_RATE: '0.9', OTEL_SERVICE_NAME: 'payment' }), []);
});

test('when a variable is misspelt, then it is reported even though zod would drop it silently', (t) => {
  t.deepEqual(envProblems(schema, { PORT: '8082', PAYMENT_SUCCES_RATE: '0.9', PAYMENT_SUCCESS_RATE: '1' }), [
    "PAYMENT_SUCCES_RATE is not a variable of the service's config schema",
  ]);
});

test('when a value is out of range, then the schema message names the variable', (t) => {
  const problems = envProblems(schema, { PORT: '8082', PAYMENT_SUCCESS_RATE: '1.5' });
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
  const written = new Set(['order', 'inventory', 'payment', 'notification']);
  const consumers = consumerQueues('choreography').filter((c) => written.has(c.service));
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
