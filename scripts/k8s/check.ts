/**
 * npm run k8s:check — everything about the Kubernetes side that can be verified without a
 * cluster, Docker or the internet. Options: --schemas <dir> (or ORDERLY_SCHEMAS_DIR), default
 * ../shared/schemas. Exits 1 when any check fails.
 */
import { join } from 'node:path';
import { checkProfile } from './check-profile.js';
import { validateKindConfig, validateSkaffold } from './config-files.js';
import { checkNodeMajor } from './contracts/dockerfile.js';
import { loadServices, serviceNames } from './contracts/services.js';
import { CrdValidator } from './crd-validator.js';
import { profiles } from './profiles.js';
import { alertFiles, checkRules, promtoolAvailable, testRules } from './promtool.js';
import { Report } from './report.js';
import { schemasDir } from './schemas-dir.js';
import { topologyDrift } from './topology-drift.js';

const started = Date.now();
const report = new Report();
const schemas = schemasDir();

let crds: CrdValidator | undefined;
if (schemas.present) {
  crds = await CrdValidator.load(join(schemas.dir, 'crds'));
  report.add('CRD schemas loaded', [], `${crds.size} kinds from ${schemas.dir}/crds`);
} else {
  report.skip(
    'custom resources against upstream CRDs (strict, CEL) and skaffold.yaml against its schema',
    `schemas folder ${schemas.dir} is absent: custom resources are checked only structurally`,
  );
}
report.skip('CloudNativePG Cluster and Database', 'no CRD for postgresql.cnpg.io in the schemas folder: validated only structurally');

await report.run('charts/orderly/files/topology.json matches topology() in code', () => topologyDrift());

const services = await loadServices(serviceNames());
for (const profile of profiles()) await checkProfile(profile, report, crds, services);

if (schemas.present)
  await report.run('skaffold.yaml against skaffold/v4beta14 schema', () => validateSkaffold('skaffold.yaml', schemas.dir));
await report.run('the image runs the Node major the tests run on', () => checkNodeMajor());
await report.run('kind-config.yaml against kind v1alpha4 fields', () => validateKindConfig('kind-config.yaml'));

const alerts = await alertFiles();
if (alerts.rules.length === 0) report.skip('promtool check rules / test rules', 'no rule files in charts/orderly/files/alerts yet');
else if (!(await promtoolAvailable()))
  report.add('promtool check rules', ['promtool not found (Debian package prometheus; scripts/setup.sh installs it)']);
else {
  await report.run(`promtool check rules (${alerts.rules.length} files)`, () => checkRules(alerts.rules));
  if (alerts.tests.length === 0) report.skip('promtool test rules', 'no rule unit tests (*.test.yaml) yet');
  else await report.run(`promtool test rules (${alerts.tests.length} files)`, () => testRules(alerts.tests));
}

console.log(report.format());
console.log(`k8s:check finished in ${((Date.now() - started) / 1000).toFixed(1)}s`);
process.exitCode = report.failed ? 1 : 0;
