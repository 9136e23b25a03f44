import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import test from 'ava';
import { chartDir, helmBinary, helmTemplate, kubeVersion } from '../helm.js';
import type { Manifest } from '../manifest.js';

const run = promisify(execFile);
const defaults = { name: 'defaults', valuesFile: 'charts/orderly/ci/defaults-values.yaml' };

async function helmFails(args: string[]): Promise<string> {
  try {
    await run(helmBinary(), args);
  } catch (err) {
    return String((err as { stderr?: string }).stderr ?? err);
  }
  throw new Error(`helm ${args.join(' ')} succeeded`);
}

test('when a value key is unknown, then the values schema rejects it', async (t) => {
  const stderr = await helmFails(['template', 'o', chartDir, '--kube-version', kubeVersion, '--set', 'default.replcas=2']);
  t.regex(stderr, /replcas/);
});

test('when the grace period does not exceed the drain time, then rendering fails', async (t) => {
  const stderr = await helmFails([
    'template',
    'o',
    chartDir,
    '--kube-version',
    kubeVersion,
    '--set',
    'components.payment.shutdownTimeoutMs=40000',
    '--set',
    'components.payment.terminationGracePeriodSeconds=30',
    '--set',
    'auth.demoProvider.enabled=true',
  ]);
  t.regex(stderr, /components\.payment: terminationGracePeriodSeconds/);
});

const ingressOf = (m: Manifest) => (m.spec as { ingress: { from?: Record<string, unknown>[] }[] }).ingress;

test('only the order API accepts traffic from other namespaces', async (t) => {
  const policies = (await helmTemplate(defaults)).filter((m) => m.kind === 'NetworkPolicy');
  // A rule without `from` admits every source, NodePort traffic from node addresses included.
  const open = policies.filter((p) =>
    ingressOf(p).some((rule) => rule.from === undefined || rule.from.some((f) => JSON.stringify(f.namespaceSelector) === '{}')),
  );
  t.deepEqual(
    open.map((p) => p.metadata.name),
    ['orderly-order'],
  );
  const migrate = policies.find((p) => p.metadata.name === 'orderly-inventory-migrate')!;
  t.deepEqual(ingressOf(migrate), []);
});

test('credentials reach the containers only through Secrets', async (t) => {
  const deployments = (await helmTemplate(defaults)).filter((m) => m.kind === 'Deployment');
  for (const d of deployments) {
    const env = (d.spec as { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } }).template.spec
      .containers[0]!.env;
    for (const name of ['AMQP_URL', 'DATABASE_URL']) {
      const v = env.find((e) => e.name === name);
      t.truthy(v, `${d.metadata.name} ${name}`);
      t.is(v!.value, undefined, `${d.metadata.name} ${name} must come from a Secret`);
    }
    t.false(
      env.some((e) => /:\/\/[^@/]+:[^@/]+@/.test(e.value ?? '')),
      `${d.metadata.name} has a URL with a password in plain env`,
    );
  }
});

test('the orchestration profile renders the orchestration topology and SAGA_MODE', async (t) => {
  const manifests = await helmTemplate({ name: 'orchestration', valuesFile: 'charts/orderly/ci/orchestration-values.yaml' });
  const order = manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === 'orderly-order')!;
  const env = (order.spec as { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } }).template.spec
    .containers[0]!.env;
  t.is(env.find((e) => e.name === 'SAGA_MODE')?.value, 'orchestration');
});
