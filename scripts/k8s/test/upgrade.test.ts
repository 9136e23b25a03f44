import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { upgradeProblems as rulesOnUpgrade } from '../admission/index.js';
import { chartDir, helmTemplateWith } from '../helm.js';
import type { Manifest } from '../manifest.js';
import { profiles } from '../profiles.js';
import { schemasDir } from '../schemas-dir.js';
import { CrdValidator } from '../validate.js';

/**
 * The upgrade paths a release takes after its first install, each rendered on both sides and
 * checked against what the operators refuse to change and Helm's order of operations
 * (scripts/k8s/admission): a component enabled, the saga mode switched, the chart version bumped.
 */
const profile = (name: string) => profiles().find((p) => p.name === name)!;
const render = (name: string, values: object[] = [], chart?: string) => helmTemplateWith(profile(name), { values, chart });
const schemas = schemasDir();
const crds = schemas.present ? CrdValidator.load(join(schemas.dir, 'crds')) : undefined;

/** The admission rules, plus the CRDs' own transition rules (oldSelf) when the schemas folder is there. */
async function upgradeProblems(previous: Manifest[], next: Manifest[]): Promise<string[]> {
  const problems = rulesOnUpgrade(previous, next);
  const validator = await crds;
  if (!validator) return problems;
  for (const m of next.filter((x) => validator.knows(x))) {
    const old = previous.find((p) => p.kind === m.kind && p.metadata.name === m.metadata.name);
    if (old) problems.push(...validator.transitionProblems(old, m).map((p) => `${m.kind}/${m.metadata.name}: ${p}`));
  }
  return problems;
}
if (!schemas.present)
  console.warn(
    `\n  ⚠ upgrade.test.ts: no schemas folder at ${schemas.dir}: the CRDs' transition rules are NOT checked (set ORDERLY_SCHEMAS_DIR)\n`,
  );
const components = ['order', 'inventory', 'payment', 'notification', 'shipping', 'customer', 'audit', 'console'];

test('enabling any component on an upgrade is accepted (kind and production)', async (t) => {
  for (const name of ['kind', 'production']) {
    const next = await render(name);
    for (const c of components) {
      const previous = await render(name, [{ components: { [c]: { enabled: false } } }]);
      t.deepEqual(await upgradeProblems(previous, next), [], `${name}: enable ${c}`);
    }
  }
});

test('switching the saga mode either way is accepted', async (t) => {
  // The orchestration profile sits on the chart's defaults, not on kind's: switch the mode on one profile.
  const [choreography, orchestration] = await Promise.all([render('kind'), render('kind', [{ sagaMode: 'orchestration' }])]);
  t.deepEqual(await upgradeProblems(choreography, orchestration), []);
  t.deepEqual(await upgradeProblems(orchestration, choreography), []);
  const bindings = (ms: Manifest[]) => new Set(ms.filter((m) => m.kind === 'Binding').map((m) => m.metadata.name));
  t.notDeepEqual(bindings(choreography), bindings(orchestration), 'the modes differ in bindings, so the check compared something');
});

test('a switch through sagaSwitching (decision 0022) is accepted both ways, and the drain carries both modes’ bindings', async (t) => {
  const [choreography, orchestration, toOrchestration, toChoreography] = await Promise.all([
    render('kind'),
    render('kind', [{ sagaMode: 'orchestration' }]),
    render('kind', [{ sagaMode: 'orchestration', sagaSwitching: true }]),
    render('kind', [{ sagaSwitching: true }]),
  ]);
  for (const [from, drain, to, name] of [
    [choreography, toOrchestration, orchestration, 'choreography → orchestration'],
    [orchestration, toChoreography, choreography, 'orchestration → choreography'],
  ] as const) {
    t.deepEqual(await upgradeProblems(from, drain), [], `${name}: the upgrade that starts the drain`);
    t.deepEqual(await upgradeProblems(drain, to), [], `${name}: the upgrade that ends it`);
  }
  const bindings = (ms: Manifest[]) => new Set(ms.filter((m) => m.kind === 'Binding').map((m) => m.metadata.name));
  for (const b of [...bindings(choreography), ...bindings(orchestration)]) t.true(bindings(toOrchestration).has(b), b);
  const env = (ms: Manifest[]) => JSON.stringify(ms.filter((m) => m.kind === 'Deployment'));
  t.regex(env(toOrchestration), /"name":"SAGA_SWITCHING","value":"true"/);
  t.regex(env(orchestration), /"name":"SAGA_SWITCHING","value":"false"/);
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
      t.deepEqual(await upgradeProblems(previous, next), [], name);
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
  const problems = (await upgradeProblems(previous, next)).join('\n');
  t.regex(problems, /Vhost\/orderly-vhost: spec.name changes "orderly" → "shop"/);
  t.regex(problems, /Queue\/orderly-q-order: spec.vhost changes/);
  t.regex(problems, /Permission\/.*: spec.vhost changes/);
  t.regex(problems, /RabbitmqCluster\/orderly-rabbitmq: replicas 3 → 1/);
  t.regex(problems, /Cluster\/orderly-db: can't shrink existing storage from 20Gi to 10Gi/);
});

(schemas.present ? test : test.skip)(
  "a CRD's transition rule is evaluated on upgrade: renaming the CloudNativePG database is refused",
  async (t) => {
    const previous = await render('kind');
    const next = await render('kind', [{ postgres: { database: 'shop' } }]);
    t.regex((await upgradeProblems(previous, next)).join('\n'), /Database\/orderly-database: \$\.spec\.name: name is immutable/);
  },
);
