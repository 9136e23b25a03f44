import test from 'ava';
import { chartDir, namespace, releaseName } from '../helm.js';
import { withHelmAgainstStandIn } from './api-stand-in.js';

/**
 * What `helm uninstall` leaves: Helm itself skips objects annotated helm.sh/resource-policy: keep
 * (helm v3.10.0 pkg/action/uninstall.go → resource_policy.go filterManifestsToKeep), so this runs the repository's
 * helm against the stand-in API server (api-stand-in.ts). That the operators then keep the volumes
 * (they belong to the kept clusters) is their behaviour, read from their source, not run here.
 */
const kind = 'charts/orderly/ci/kind-values.yaml';
const install = ['upgrade', '--install', releaseName, chartDir, '-n', namespace, '-f', kind, '--disable-openapi-validation'];
const stateful = ['RabbitmqCluster orderly-rabbitmq', 'Cluster orderly-db'];
const left = (objects: Iterable<{ kind: string; metadata: { name: string } }>) =>
  [...objects].map((o) => `${o.kind} ${o.metadata.name}`).filter((n) => !n.startsWith('Secret sh.helm.release'));

test('helm uninstall leaves the broker and the database clusters, and a new install takes them over', async (t) => {
  await withHelmAgainstStandIn(kind, async (helm, api) => {
    await helm(...install);
    const installed = left(api.objects.values());
    t.true(installed.length > 50);
    await helm('uninstall', releaseName, '-n', namespace);
    t.deepEqual(left(api.objects.values()).sort(), [...stateful].sort());
    // The same release name again: Helm adopts the kept objects (they carry its release annotations).
    await helm(...install);
    t.deepEqual(left(api.objects.values()).sort(), installed.sort());
  });
});

test('with keepDataOnUninstall: false, helm uninstall removes everything', async (t) => {
  await withHelmAgainstStandIn(kind, async (helm, api) => {
    await helm(...install, '--set', 'keepDataOnUninstall=false');
    await helm('uninstall', releaseName, '-n', namespace);
    t.deepEqual(left(api.objects.values()), []);
  });
});
