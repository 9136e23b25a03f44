import { readFileSync } from 'node:fs';
import test from 'ava';
import { skaffoldValues } from '../contracts/images.js';
import type { Manifest } from '../manifest.js';
import { helmTemplateFiles, readSkaffoldDoc, type SkaffoldDoc, withProfiles } from '../skaffold-profiles.js';

/**
 * The paths a user takes onto a cluster, as skaffold.yaml and the chart define them: each skaffold
 * profile's values (profiles applied as skaffold applies them, then rendered), the production
 * profile's registry, the forwarded identity provider, and the console's OpenID Connect client.
 */
const skaffold = readSkaffoldDoc();
const kindValues = 'charts/orderly/ci/kind-values.yaml';

async function render(doc: SkaffoldDoc): Promise<Manifest[]> {
  const release = doc.deploy.helm.releases[0]!;
  return helmTemplateFiles(release.valuesFiles, skaffoldValues(doc as never));
}
const find = (ms: Manifest[], kind: string, name: string) => ms.find((m) => m.kind === kind && m.metadata.name === name);
type Container = { name: string; env?: { name: string; value?: string }[]; resources?: { limits?: { memory?: string } } };
const container = (ms: Manifest[], deployment: string) =>
  (find(ms, 'Deployment', deployment)!.spec as { template: { spec: { containers: Container[] } } }).template.spec.containers[0]!;
const envOf = (c: Container) => Object.fromEntries((c.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
const nodePort = (ms: Manifest[]) =>
  (find(ms, 'Service', 'orderly-order')!.spec as { ports: { nodePort?: number }[] }).ports.map((p) => p.nodePort).find(Boolean);

test('every kind profile adds its values to the kind values: the NodePort, the kind sizing and the demo issuer stay', async (t) => {
  const base = await render(skaffold);
  const expected = {
    nodePort: nodePort(base),
    memory: container(base, 'orderly-order').resources?.limits?.memory,
    issuer: envOf(container(base, 'orderly-order')).AUTH_ISSUER,
  };
  t.is(expected.nodePort, 30080);
  t.is(expected.issuer, 'http://orderly-identity.orderly.svc:8090');
  for (const profile of skaffold.profiles.filter((p) => p.name !== 'production')) {
    const doc = withProfiles(skaffold, [profile.name]);
    t.is(doc.deploy.helm.releases[0]!.valuesFiles[0], kindValues, `${profile.name}: the kind values come first`);
    const ms = await render(doc);
    t.deepEqual(
      {
        nodePort: nodePort(ms),
        memory: container(ms, 'orderly-order').resources?.limits?.memory,
        issuer: envOf(container(ms, 'orderly-order')).AUTH_ISSUER,
      },
      expected,
      `-p ${profile.name}`,
    );
    t.truthy(find(ms, 'Deployment', 'orderly-identity'), `-p ${profile.name}: the demo provider runs`);
  }
  const orchestration = await render(withProfiles(skaffold, ['orchestration']));
  t.is(envOf(container(orchestration, 'orderly-order')).SAGA_MODE, 'orchestration');
  t.is(envOf(container(orchestration, 'orderly-payment')).PAYMENT_SANDBOX, 'true');
});

test('no profile replaces the kind values but production, which is for a real cluster and pushes its images', (t) => {
  for (const p of skaffold.profiles) {
    const replaces = (p.patches ?? []).filter((op) => op.path.startsWith('/deploy/helm/releases/0/valuesFiles') && op.op !== 'add');
    t.deepEqual(replaces.length > 0, p.name === 'production', p.name);
  }
  const production = withProfiles(skaffold, ['production']);
  t.deepEqual(production.deploy.helm.releases[0]!.valuesFiles, ['charts/orderly/ci/production-values.yaml']);
  t.true(production.build.local.push, '-p production pushes (to --default-repo)');
  t.false(skaffold.build.local.push ?? false, 'kind: loaded, not pushed');
  // -p podman,production: the custom builder pushes when skaffold says PUSH_IMAGE=true.
  const both = withProfiles(skaffold, ['production', 'podman']);
  t.true(both.build.local.push && both.build.artifacts.every((a) => a.custom !== undefined));
});

test('with --default-repo, the production release runs the pushed images by digest, whatever image.registry says', async (t) => {
  const doc = withProfiles(skaffold, ['production']);
  // skaffold --default-repo=R names each artifact R/<image>: what IMAGE_REPO_* then holds.
  const values = Object.fromEntries(
    Object.entries(skaffoldValues(doc as never)).map(([k, v]) => [k, v.replace(/^orderly-/, 'eu.gcr.example/shop/orderly-')]),
  );
  const ms = await helmTemplateFiles(doc.deploy.helm.releases[0]!.valuesFiles, values);
  const image = (find(ms, 'Deployment', 'orderly-order')!.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec
    .containers[0]!.image;
  t.regex(image, /^eu\.gcr\.example\/shop\/orderly-order:skaffold@sha256:0{64}$/);
});

test('skaffold forwards the demo identity provider the console signs in through, on the port its issuer names', async (t) => {
  const ms = await render(skaffold);
  const svc = find(ms, 'Service', 'orderly-identity')!;
  const port = (svc.spec as { ports: { port: number }[] }).ports[0]!.port;
  const forward = skaffold.portForward.find((f) => f.resourceName === 'orderly-identity');
  t.deepEqual(forward && { port: forward.port, localPort: forward.localPort, namespace: forward.namespace }, {
    port,
    localPort: port,
    namespace: 'orderly',
  });
  t.true(envOf(container(ms, 'orderly-console')).AUTH_ISSUER!.endsWith(`:${port}`));
});

test('the console’s client id, scope and resource indicator are values; the production profile’s suit Entra ID v2.0', async (t) => {
  const kind = envOf(container(await render(skaffold), 'orderly-console'));
  t.like(kind, { CONSOLE_OIDC_CLIENT_ID: 'orderly-web', CONSOLE_OIDC_SCOPE: 'openid email orderly' });
  t.is(kind.CONSOLE_OIDC_RESOURCE, undefined, 'unset: the audience, as the demo provider needs');
  const prod = envOf(container(await helmTemplateFiles(['charts/orderly/ci/production-values.yaml']), 'orderly-console'));
  t.is(prod.CONSOLE_OIDC_RESOURCE, 'none', 'Entra ID v2.0 refuses a resource parameter');
  t.regex(prod.CONSOLE_OIDC_SCOPE!, /^openid api:\/\/\S+\/\S+$/);
  t.regex(prod.CONSOLE_OIDC_CLIENT_ID!, /^[0-9a-f-]{36}$/);
  t.regex(prod.AUTH_AUDIENCE!, /^[0-9a-f-]{36}$/, 'a v2.0 access token’s aud is the API app’s client id');
  const err = await t.throwsAsync(helmTemplateFiles([kindValues], { 'console.oidc.clientId': 'my-console' }));
  t.regex(String(err?.message), /the demo provider knows only the client orderly-web/);
});

test('docs/kubernetes.md gives every path its commands: Podman, a registry, a token on the cluster, the console sign-in', (t) => {
  const docs = readFileSync('docs/kubernetes.md', 'utf8');
  for (const command of [
    'skaffold dev -p podman',
    'scripts/images kind',
    'scripts/images push --registry',
    'skaffold run -p production --default-repo',
    '--set image.registry=',
    'npm run -s token -- --cluster',
    'npm run -s token -- --issuer',
    'authorization: Bearer $TOKEN',
    'console.oidc.clientId',
    'kind-disable-load',
  ]) {
    t.true(docs.includes(command), command);
  }
  t.false(/skaffold dev -p defaults/.test(docs), 'no profile that cannot be used');
});
