import test from 'ava';
import { applyOrder } from '../admission/helm-order.js';
import { chartDir, helmTemplate, namespace, releaseName } from '../helm.js';
import { withHelmAgainstStandIn } from './api-stand-in.js';

/**
 * The ordering checks (admission/ordering.ts) rest on a model of the order in which Helm creates a
 * release's objects, read from its source. Here the repository's helm installs the kind profile
 * against the stand-in API server, which records each create as it arrives: the kinds come in the
 * model's order (objects of one kind are sent together, so only the sequence of kinds is compared).
 */
const kind = 'charts/orderly/ci/kind-values.yaml';
const runs = (kinds: string[]) => kinds.filter((k, i) => k !== kinds[i - 1]);

test("helm creates the release's objects kind by kind in the order the checks assume", async (t) => {
  const model = runs(applyOrder(await helmTemplate({ name: 'kind', valuesFile: kind })).map((m) => m.kind));
  await withHelmAgainstStandIn(kind, async (helm, api) => {
    await helm('install', releaseName, chartDir, '-n', namespace, '-f', kind, '--disable-openapi-validation');
    const sent = api.created.filter((c) => !c.startsWith('Secret sh.helm.release')).map((c) => c.split(' ')[0]!);
    t.deepEqual(runs(sent), model);
    t.true(model.indexOf('Secret') < model.indexOf('User') && model.indexOf('Deployment') < model.indexOf('ScaledObject'));
  });
});
