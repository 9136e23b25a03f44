import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { kindClusterShape, validateKindConfig, validateShape } from '../config-files.js';
import type { Manifest } from '../manifest.js';
import { schemasDir } from '../schemas-dir.js';
import { CrdValidator, isCoreKind, validateCore } from '../validate.js';

const fixtureCrds = join(import.meta.dirname, 'fixtures', 'crds');
const widget = (spec: Record<string, unknown>): Manifest => ({
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name: 'w' },
  spec,
});

const deployment = (container: Record<string, unknown>): Manifest => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'd' },
  spec: {
    selector: { matchLabels: { a: 'b' } },
    template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i', ...container }] } },
  },
});

test('a valid Deployment passes the core validation', (t) => {
  t.deepEqual(validateCore(deployment({ ports: [{ name: 'http', containerPort: 8080 }] })), []);
});

test('when a core object has a field its kind does not define, then it is rejected with its path', (t) => {
  const problems = validateCore(deployment({ ports: [{ name: 'http', containerPort: 8080, hostPortt: 1 }] }));
  t.deepEqual(problems, ['$.spec.template.spec.containers[0].ports[0].hostPortt: unknown field']);
});

test('a built-in kind that client-node has no model for is reported, not passed unchecked', (t) => {
  const flowSchema: Manifest = { apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta1', kind: 'FlowSchema', metadata: { name: 'f' } };
  t.deepEqual(validateCore({ ...flowSchema, spec: { priorityLevelConfiguration: { name: 'p' } } }), [
    'flowcontrol.apiserver.k8s.io/v1beta1 FlowSchema: @kubernetes/client-node has no model to find unknown fields with',
  ]);
});

test('when a core field has the wrong type, then kubernetes-models rejects it', (t) => {
  const problems = validateCore(deployment({ ports: [{ containerPort: '8080' }] }));
  t.true(problems.some((p) => p.includes('containerPort')));
});

test('when a custom resource has a field its CRD does not declare, then it is rejected', async (t) => {
  const crds = await CrdValidator.load(fixtureCrds);
  t.deepEqual(crds.validate(widget({ size: 1 })), []);
  t.true(crds.validate(widget({ size: 1, colour: 'red' })).some((p) => p.includes('colour')));
});

test('fields under x-kubernetes-preserve-unknown-fields and map keys stay free; int-or-string takes both', async (t) => {
  const crds = await CrdValidator.load(fixtureCrds);
  t.deepEqual(crds.validate(widget({ size: '50%', settings: { anything: { goes: true } }, labels: { team: 'a' } })), []);
  t.not(crds.validate(widget({ size: true })).length, 0);
});

test('when a CEL rule of the CRD is violated, then the message of the rule is reported', async (t) => {
  const crds = await CrdValidator.load(fixtureCrds);
  t.deepEqual(crds.validate(widget({ size: 1, minCount: 1, maxCount: 3 })), []);
  t.deepEqual(crds.validate(widget({ size: 1, minCount: 5, maxCount: 3 })), ['$.spec: minCount must not exceed maxCount']);
});

test('Go inline regex flags in CRD patterns are honoured', async (t) => {
  const crds = await CrdValidator.load(fixtureCrds);
  t.deepEqual(crds.validate(widget({ size: 1, mode: 'FAST' })), []);
  t.not(crds.validate(widget({ size: 1, mode: 'medium' })).length, 0);
});

test('metadata of a custom resource is checked as ObjectMeta', async (t) => {
  const crds = await CrdValidator.load(fixtureCrds);
  const m = widget({ size: 1 });
  (m.metadata as Record<string, unknown>).lables = { a: 'b' };
  t.deepEqual(crds.validate(m), ['$.metadata.lables: unknown field']);
});

test('an object of a kind no schema knows fails', async (t) => {
  const crds = await CrdValidator.load(fixtureCrds);
  const gadget: Manifest = { apiVersion: 'example.org/v1', kind: 'Gadget', metadata: { name: 'g' } };
  t.false(isCoreKind(gadget));
  t.deepEqual(crds.validate(gadget), ['example.org/v1 Gadget: no CRD in the schemas folder knows this kind']);
});

const schemas = schemasDir();
const withSchemas = (title: string, fn: (t: ExecutionContext) => Promise<void>) =>
  schemas.present ? test(title, fn) : test.skip(`${title} — SKIPPED: no schemas folder at ${schemas.dir} (set ORDERLY_SCHEMAS_DIR)`, fn);

withSchemas('with the upstream CRDs: a ScaledObject whose minReplicaCount exceeds maxReplicaCount fails its CEL rule', async (t) => {
  const crds = await CrdValidator.load(join(schemas.dir, 'crds'));
  const so: Manifest = {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: 'x' },
    spec: { scaleTargetRef: { name: 'd' }, minReplicaCount: 4, maxReplicaCount: 2, triggers: [{ type: 'cpu', metadata: { value: '70' } }] },
  };
  t.deepEqual(crds.validate(so), ['$.spec: minReplicaCount must be less than or equal to maxReplicaCount']);
});

withSchemas('with the upstream CRDs: a Queue with a misspelt field is rejected', async (t) => {
  const crds = await CrdValidator.load(join(schemas.dir, 'crds'));
  const q: Manifest = {
    apiVersion: 'rabbitmq.com/v1beta1',
    kind: 'Queue',
    metadata: { name: 'q' },
    spec: { name: 'q', durabel: true, rabbitmqClusterReference: { name: 'r' } },
  };
  t.true(crds.validate(q).some((p) => p.includes('durabel')));
});

test('kind-config.yaml passes, and an unknown kind field is caught', async (t) => {
  t.deepEqual(await validateKindConfig('kind-config.yaml'), []);
  t.deepEqual(validateShape({ kind: 'Cluster', nodes: [{ role: 'worker', extraPortMapping: [] }] }, kindClusterShape), [
    '$.nodes[0].extraPortMapping: unknown field (kind decodes strictly)',
  ]);
  t.deepEqual(validateShape({ nodes: [{ role: 'master' }] }, kindClusterShape), ['$.nodes[0].role: must be one of control-plane, worker']);
});

test('the schemas folder comes from ORDERLY_SCHEMAS_DIR, else ../shared/schemas', (t) => {
  t.is(schemasDir({ ORDERLY_SCHEMAS_DIR: '/a' }).dir, '/a');
  t.is(schemasDir({}).dir, resolve('..', 'shared', 'schemas'));
  t.false(schemasDir({ ORDERLY_SCHEMAS_DIR: '/nowhere' }).present);
  t.true(existsSync('kind-config.yaml'));
});
