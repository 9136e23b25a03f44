import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { upgradeProblems } from '../admission/index.js';
import { chartDir, helmTemplateWith } from '../helm.js';
import type { Manifest } from '../manifest.js';
import { profiles } from '../profiles.js';

/**
 * The upgrade paths a release takes after its first install, each rendered on both sides and
 * checked against what the operators refuse to change and Helm's order of operations
 * (scripts/k8s/admission): a component enabled, the saga mode switched, the chart version bumped.
 */
const profile = (name: string) => profiles().find((p) => p.name === name)!;
const render = (name: string, values: object[] = [], chart?: string) => helmTemplateWith(profile(name), { values, chart });
const components = ['order', 'inventory', 'payment', 'notification', 'shipping', 'customer', 'audit', 'console'];

test('enabling any component on an upgrade is accepted (kind and production)', async (t) => {
  for (const name of ['kind', 'production']) {
    const next = await render(name);
    for (const c of components) {
      const previous = await render(name, [{ components: { [c]: { enabled: false } } }]);
      t.deepEqual(upgradeProblems(previous, next), [], `${name}: enable ${c}`);
    }
  }
});

test('switching the saga mode either way is accepted', async (t) => {
  // The orchestration profile sits on the chart's defaults, not on kind's: switch the mode on one profile.
  const [choreography, orchestration] = await Promise.all([render('kind'), render('kind', [{ sagaMode: 'orchestration' }])]);
  t.deepEqual(upgradeProblems(choreography, orchestration), []);
  t.deepEqual(upgradeProblems(orchestration, choreography), []);
  const bindings = (ms: Manifest[]) => new Set(ms.filter((m) => m.kind === 'Binding').map((m) => m.metadata.name));
  t.notDeepEqual(bindings(choreography), bindings(orchestration), 'the modes differ in bindings, so the check compared something');
});

test('bumping the chart version and appVersion (and the images with it) is accepted, and re-runs every migration', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'orderly-chart-'));
  try {
    const bumped = join(dir, 'orderly');
    await cp(chartDir, bumped, { recursive: true });
    const chartYaml = join(bumped, 'Chart.yaml');
    const text = await readFile(chartYaml, 'utf8');
    await writeFile(chartYaml, text.replace(/^version: .*$/m, 'version: 0.2.0').replace(/^appVersion: .*$/m, 'appVersion: "0.2.0"'));
    for (const name of ['kind', 'production']) {
      const [previous, next] = await Promise.all([render(name), render(name, [], bumped)]);
      t.deepEqual(upgradeProblems(previous, next), [], name);
      const jobs = (ms: Manifest[]) => ms.filter((m) => m.kind === 'Job').map((m) => m.metadata.name);
      t.false(
        jobs(next).some((j) => jobs(previous).includes(j)),
        `${name}: every migration Job is new (new images), none patched`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('what the operators refuse on upgrade is caught on a real render: a renamed vhost, fewer brokers, a smaller database volume', async (t) => {
  const previous = await render('production');
  const next = await render('production', [
    { messaging: { vhost: 'shop' }, rabbitmq: { replicas: 1, antiAffinity: false }, postgres: { storage: { size: '10Gi' } } },
  ]);
  const problems = upgradeProblems(previous, next).join('\n');
  t.regex(problems, /Vhost\/orderly-vhost: spec.name changes "orderly" → "shop"/);
  t.regex(problems, /Queue\/orderly-q-order: spec.vhost changes/);
  t.regex(problems, /Permission\/.*: spec.vhost changes/);
  t.regex(problems, /RabbitmqCluster\/orderly-rabbitmq: replicas 3 → 1/);
  t.regex(problems, /Cluster\/orderly-db: can't shrink existing storage from 20Gi to 10Gi/);
});
