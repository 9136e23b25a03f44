import test from 'ava';
import { cnpgCreateProblems, cnpgUpdateProblems, majorOf } from '../admission/cloudnative-pg.js';
import { applyOrder } from '../admission/helm-order.js';
import { installProblems } from '../admission/index.js';
import { kedaCreateProblems } from '../admission/keda.js';
import { coreUpdateProblems } from '../admission/kubernetes.js';
import { orderingProblems } from '../admission/ordering.js';
import { rabbitmqCreateProblems, rabbitmqUpdateProblems } from '../admission/rabbitmq-cluster.js';
import { topologyCreateProblems, topologyUpdateProblems } from '../admission/topology-operator.js';
import { helmTemplate } from '../helm.js';
import type { Manifest } from '../manifest.js';

/**
 * Each admission rule refusing what its operator refuses: the kind profile's render, accepted as
 * it is, then broken one way at a time. The rules and their upstream sources: scripts/k8s/admission.
 */
const kind = { name: 'kind', valuesFile: 'charts/orderly/ci/kind-values.yaml' };
let rendered: Promise<Manifest[]> | undefined;
async function fresh(): Promise<Manifest[]> {
  rendered ??= helmTemplate(kind);
  return structuredClone(await rendered);
}
const find = (ms: Manifest[], kindName: string, name?: string) =>
  ms.find((m) => m.kind === kindName && (!name || m.metadata.name === name))!;
// biome-ignore lint/suspicious/noExplicitAny: each test breaks a different rendered shape.
const spec = (m: Manifest) => m.spec as Record<string, any>;

test('the kind profile passes every rule on install', async (t) => {
  t.deepEqual(installProblems(await fresh()), []);
});

test('Topology Operator: a User whose Secret lacks the label, or is missing, is refused', async (t) => {
  const ms = await fresh();
  delete find(ms, 'Secret', 'orderly-order-amqp').metadata.labels!['rabbitmq.com/topology-operator'];
  t.deepEqual(topologyCreateProblems(ms), [
    'User/orderly-order-broker-user: Secret orderly-order-amqp (importCredentialsSecret) must have label rabbitmq.com/topology-operator=true (user_webhook.go, label_validation.go)',
  ]);
  const missing = ms.filter((m) => !(m.kind === 'Secret' && m.metadata.name === 'orderly-order-amqp'));
  t.regex(topologyCreateProblems(missing).join('\n'), /orderly-order-amqp, which the chart does not render/);
});

test('Topology Operator: both or neither cluster reference, a non-durable quorum queue, user and userReference together are refused', async (t) => {
  const ms = await fresh();
  spec(find(ms, 'Exchange')).rabbitmqClusterReference.connectionSecret = { name: 'x' };
  spec(find(ms, 'Queue')).durable = false;
  spec(find(ms, 'Permission')).user = 'someone';
  const problems = topologyCreateProblems(ms).join('\n');
  t.regex(problems, /Exchange\/.*: rabbitmqClusterReference needs exactly one of name and connectionSecret/);
  t.regex(problems, /Queue\/.*: quorum queues must have durable set to true/);
  t.regex(problems, /Permission\/.*: needs exactly one of spec.user and spec.userReference/);
});

test('Topology Operator: changing a protected field of a same-named object is refused; what may change passes', async (t) => {
  const previous = await fresh();
  const next = await fresh();
  spec(find(next, 'Queue', 'orderly-q-order')).type = 'classic';
  spec(find(next, 'Binding')).routingKey = 'other';
  spec(find(next, 'Permission')).vhost = 'other';
  spec(find(next, 'Vhost')).rabbitmqClusterReference = { name: 'other' };
  const problems = topologyUpdateProblems(previous, next);
  t.is(problems.length, 4, problems.join('\n'));
  t.regex(
    problems.join('\n'),
    /Queue\/orderly-q-order: spec.type changes "quorum" → "classic", which queue_webhook.go ValidateUpdate forbids/,
  );
  const allowed = await fresh();
  spec(find(allowed, 'Permission')).permissions.read = '^x$';
  spec(find(allowed, 'Policy')).definition = { 'delivery-limit': 3 };
  t.deepEqual(topologyUpdateProblems(previous, allowed), []);
});

test('cluster operator: a volume at the disk limit, an override with host access, scale-down and shrinking are refused', async (t) => {
  const previous = await fresh();
  const ms = await fresh();
  const cluster = spec(find(ms, 'RabbitmqCluster'));
  cluster.persistence.storage = '2Gi';
  cluster.override = { statefulSet: { spec: { template: { spec: { hostNetwork: true } } } } };
  t.is(rabbitmqCreateProblems(ms).length, 2);
  cluster.rabbitmq.additionalConfig = 'disk_free_limit.absolute = 500MB\n';
  t.is(rabbitmqCreateProblems(ms).length, 1, 'a lower disk limit in additionalConfig makes room');
  spec(find(previous, 'RabbitmqCluster')).replicas = 3;
  spec(find(previous, 'RabbitmqCluster')).persistence.storage = '8Gi';
  t.is(rabbitmqUpdateProblems(previous, ms).length, 2);
});

test('CloudNativePG: reserved, duplicate and password-less roles, a wrong username, an unknown schema owner, shrinking and downgrading are refused', async (t) => {
  const ms = await fresh();
  const roles = spec(find(ms, 'Cluster')).managed.roles as { name: string; disablePassword?: boolean }[];
  roles.push({ ...roles[0]!, name: 'pg_monitor' }, { ...roles[1]! }, { ...roles[2]!, name: 'x', disablePassword: true });
  (find(ms, 'Secret', 'orderly-order-db') as Manifest & { stringData: { username: string } }).stringData.username = 'orders';
  spec(find(ms, 'Database')).schemas.push({ name: 'extra', owner: 'nobody' });
  const problems = cnpgCreateProblems(ms).join('\n');
  for (const re of [
    /pg_monitor is reserved/,
    /is a duplicate/,
    /both sets and disables a password/,
    /has username orders/,
    /owner nobody is not a role/,
  ])
    t.regex(problems, re);
  t.is(majorOf('ghcr.io/cloudnative-pg/postgresql:17.12-standard-trixie'), 17);
  t.is(majorOf('postgres:latest'), undefined);
  const previous = await fresh();
  const next = await fresh();
  spec(find(next, 'Cluster')).storage.size = '512Mi';
  spec(find(next, 'Cluster')).imageName = 'ghcr.io/cloudnative-pg/postgresql:16.9';
  spec(find(next, 'Database')).name = 'other';
  t.is(cnpgUpdateProblems(previous, next).length, 3);
});

test('KEDA: a cpu trigger without cpu requests, bad bounds, duplicate trigger names and long names are refused', async (t) => {
  const ms = await fresh();
  const order = find(ms, 'Deployment', 'orderly-order');
  delete spec(order).template.spec.containers[0].resources.requests.cpu;
  delete spec(order).template.spec.containers[0].resources.limits.cpu;
  const so = find(ms, 'ScaledObject', 'orderly-inventory');
  spec(so).minReplicaCount = 9;
  spec(so).triggers.push({ ...spec(so).triggers[0] });
  so.metadata.name = 'x'.repeat(60);
  const problems = kedaCreateProblems(ms).join('\n');
  for (const re of [
    /container order doesn't have the cpu request/,
    /MinReplicaCount=9/,
    /triggerName .* multiple times/,
    /HPA name keda-hpa-x+ longer than 63/,
  ])
    t.regex(problems, re);
});

test('Helm order: Secrets come before custom resources, Deployments before ScaledObjects; a hook needing a later object is caught', async (t) => {
  const ms = await fresh();
  const order = applyOrder(ms).map((m) => m.kind);
  t.true(order.lastIndexOf('Secret') < order.indexOf('User'));
  t.true(order.lastIndexOf('Deployment') < order.indexOf('ScaledObject'));
  // The old shape: migrations as a pre-upgrade hook, on an upgrade that enables the console.
  const job = find(ms, 'Job', undefined);
  job.metadata.annotations = { 'helm.sh/hook': 'pre-upgrade' };
  const component = job.metadata.labels!['app.kubernetes.io/component']!.replace(/-migrate$/, '');
  const previous = ms.filter((m) => m.metadata.labels?.['app.kubernetes.io/component'] !== component && m !== job);
  t.regex(orderingProblems('upgrade', ms, previous).join('\n'), new RegExp(`ServiceAccount orderly-${component} does not exist yet`));
  // As a post-install hook on a first install, everything it needs exists.
  job.metadata.annotations = { 'helm.sh/hook': 'post-install' };
  t.deepEqual(orderingProblems('install', ms), []);
  job.metadata.annotations = { 'helm.sh/hook': 'pre-install' };
  t.regex(orderingProblems('install', ms).join('\n'), /pre-install hook\): Secret .* does not exist yet/);
});

test('Kubernetes: a changed Deployment selector, Job template or Secret type on upgrade is refused', async (t) => {
  const previous = await fresh();
  const next = await fresh();
  spec(find(next, 'Deployment', 'orderly-order')).selector.matchLabels.extra = 'x';
  spec(find(next, 'Job')).template.metadata.labels.extra = 'x';
  (find(next, 'Secret', 'orderly-order-db') as Manifest & { type: string }).type = 'Opaque';
  t.is(coreUpdateProblems(previous, next).length, 3);
});
