/**
 * The chart's side of authentication: every service is told whose tokens to accept, can reach the
 * issuer's keys through its NetworkPolicy, and nothing secret is a value; the demo provider is
 * optional and wired to the services when enabled.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { identityConfigSchema } from '@orderly/identity';
import test from 'ava';
import { resolveEnv } from '../contracts/env.js';
import { type EnvVar, serviceRunBy, workloads } from '../contracts/workloads.js';
import { chartDir, helmBinary, helmTemplate, kubeVersion, namespace, releaseName } from '../helm.js';
import type { Manifest } from '../manifest.js';

const run = promisify(execFile);
const profile = (name: string) => ({ name, valuesFile: `charts/orderly/ci/${name}-values.yaml` });

async function helmFails(set: string[]): Promise<string> {
  const args = ['template', releaseName, chartDir, '-n', namespace, '--kube-version', kubeVersion, ...set.flatMap((s) => ['--set', s])];
  try {
    await run(helmBinary(), args);
  } catch (err) {
    return String((err as { stderr?: string }).stderr ?? err);
  }
  throw new Error(`helm ${args.join(' ')} succeeded`);
}

const serviceWorkloads = (manifests: Manifest[]) =>
  workloads(manifests).filter((w) => w.pod.containers.some((c) => serviceRunBy(c) !== undefined));
const envOf = (manifests: Manifest[], containerEnv: EnvVar[] | undefined) => resolveEnv(containerEnv ?? [], manifests).env;

interface Egress {
  to?: {
    podSelector?: { matchLabels?: Record<string, string> };
    namespaceSelector?: unknown;
    ipBlock?: { cidr: string; except?: string[] };
  }[];
  ports?: { port: number | string }[];
}
const egressOf = (p: Manifest) => (p.spec as { egress: Egress[] }).egress;
const servicePolicies = (manifests: Manifest[]) =>
  manifests.filter((m) => m.kind === 'NetworkPolicy' && !m.metadata.name.endsWith('-migrate') && !m.metadata.name.endsWith('-identity'));

test('when no issuer is named and the demo provider is off, then the chart refuses to render', async (t) => {
  t.regex(await helmFails([]), /auth\.issuer: name the OpenID Connect issuer/);
});

test('when an outside issuer is named without JWKS egress, then rendering fails unless NetworkPolicies are off', async (t) => {
  const issuer = ['auth.issuer=https://idp.example/realms/o', 'auth.jwksUrl=https://idp.example/realms/o/certs'];
  t.regex(await helmFails(issuer), /auth\.jwksEgress: name where the issuer's JWKS endpoint is/);
  t.regex(await helmFails(['auth.issuer=https://idp.example/realms/o']), /auth\.jwksUrl/);
  const args = ['template', releaseName, chartDir, '--kube-version', kubeVersion, '--set', 'networkPolicy.enabled=false'];
  for (const s of issuer) args.push('--set', s);
  await t.notThrowsAsync(run(helmBinary(), args));
});

test('when a secret of the demo provider is given as a value, then the values schema rejects it', async (t) => {
  t.regex(await helmFails(['auth.demoProvider.enabled=true', 'auth.demoProvider.toolsClientSecret=hunter2']), /toolsClientSecret/);
});

test('[kind] every service and migration trusts the demo provider, reaches it through its NetworkPolicy, and runs the payment sandbox', async (t) => {
  const manifests = await helmTemplate(profile('kind'));
  const url = `http://${releaseName}-identity.${namespace}.svc:8090`;
  const services = serviceWorkloads(manifests);
  t.true(services.length >= 14, 'seven Deployments and seven migration Jobs');
  for (const w of services) {
    const env = envOf(manifests, w.pod.containers[0]!.env);
    t.like(env, {
      AUTH_ISSUER: url,
      AUTH_JWKS_URL: `${url}/jwks`,
      AUTH_AUDIENCE: 'urn:orderly:api',
      AUTH_OPERATOR_ROLE: 'orderly-operator',
    });
  }
  const payment = services.find((w) => w.manifest.kind === 'Deployment' && w.component === 'payment')!;
  t.is(envOf(manifests, payment.pod.containers[0]!.env).PAYMENT_SANDBOX, 'true');
  for (const p of servicePolicies(manifests)) {
    const toIdentity = egressOf(p).find((e) =>
      e.to?.some((to) => to.podSelector?.matchLabels?.['app.kubernetes.io/component'] === 'identity'),
    );
    t.deepEqual(toIdentity?.ports?.[0]?.port, 8090, `${p.metadata.name} may fetch the JWKS`);
  }
});

test('[kind] the demo provider takes its secrets from its generated Secret, issues tokens for the services, and is not scraped', async (t) => {
  const manifests = await helmTemplate(profile('kind'));
  const identity = workloads(manifests, ['Deployment']).find((w) => w.component === 'identity')!;
  const c = identity.pod.containers[0]!;
  for (const name of ['IDP_TOOLS_CLIENT_SECRET', 'IDP_ACCOUNT_PASSWORDS', 'IDP_SIGNING_KEY']) {
    const v = c.env?.find((e) => e.name === name);
    t.is(v?.value, undefined, `${name} is no literal`);
    t.is(v?.valueFrom?.secretKeyRef?.name, `${releaseName}-identity`, name);
  }
  const env = envOf(manifests, c.env);
  t.is(env.IDP_ISSUER, `http://${releaseName}-identity.${namespace}.svc:8090`);
  t.regex(env.IDP_SIGNING_KEY ?? '', /BEGIN EC PRIVATE KEY/);
  t.true((env.IDP_TOOLS_CLIENT_SECRET ?? '').length >= 32);
  // Each account its own generated password, none shared, none another's.
  const passwords = JSON.parse(env.IDP_ACCOUNT_PASSWORDS ?? '{}') as Record<string, string>;
  t.deepEqual(Object.keys(passwords).sort(), ['C100', 'C200', 'ops']);
  t.is(new Set(Object.values(passwords)).size, 3, 'no two accounts share a password');
  for (const p of Object.values(passwords)) t.regex(p, /^[A-Za-z0-9]{32}$/);
  t.true(identityConfigSchema.safeParse(env).success, 'the provider accepts its own configuration');
  const service = manifests.find((m) => m.kind === 'Service' && m.metadata.name === `${releaseName}-identity`)!;
  t.false(
    (service.spec as { ports: { name: string }[] }).ports.some((p) => p.name === 'http'),
    'the ServiceMonitor scrapes ports named http',
  );
});

test('[defaults] an outside issuer: no demo provider, HTTPS egress to public addresses only', async (t) => {
  const manifests = await helmTemplate(profile('defaults'));
  t.false(manifests.some((m) => m.metadata.labels?.['app.kubernetes.io/component'] === 'identity'));
  for (const p of servicePolicies(manifests)) {
    const jwks = egressOf(p).find((e) => e.to?.some((to) => to.ipBlock));
    t.deepEqual(jwks?.to?.[0]?.ipBlock, { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] }, p.metadata.name);
    t.deepEqual(
      jwks?.ports?.map((x) => x.port),
      [443],
    );
  }
});

test('[production] the test payment methods are ordinary methods (no sandbox)', async (t) => {
  const manifests = await helmTemplate(profile('production'));
  const payment = serviceWorkloads(manifests).find((w) => w.manifest.kind === 'Deployment' && w.component === 'payment')!;
  const env = envOf(manifests, payment.pod.containers[0]!.env);
  t.is(env.PAYMENT_SANDBOX, 'false');
  t.regex(env.AUTH_ISSUER ?? '', /^https:\/\//);
});
