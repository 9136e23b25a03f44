import test from 'ava';
import { chartDir, helmTemplate, namespace, releaseName } from '../helm.js';
import { type ApiStandIn, withHelmAgainstStandIn } from './api-stand-in.js';

/**
 * The generated credentials survive `helm upgrade`: the Messaging Topology Operator rotates a
 * user's password whenever its imported Secret changes, and CloudNativePG a role's, so a new
 * password on every upgrade would reset every connection. The chart reads them back with
 * `lookup`, which only a real install/upgrade runs: here helm (the repository's 3.10) installs and
 * upgrades the kind profile against a stand-in API server that stores what it is sent
 * (api-stand-in.ts) — not a cluster: no webhook or controller runs.
 */
const kind = 'charts/orderly/ci/kind-values.yaml';
const generated = ['password', 'secret', 'signing-key', 'account-passwords', 'tools-client-secret'];

/** Every generated value in the release's Secrets, by Secret and key. */
function secrets(api: ApiStandIn): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of api.objects.values()) {
    if (o.kind !== 'Secret' || o.metadata.name.startsWith('sh.helm.release')) continue;
    for (const [k, v] of Object.entries(o.data ?? {})) if (generated.includes(k)) out[`${o.metadata.name} ${k}`] = v;
  }
  return out;
}

test('helm upgrade keeps every generated password, session secret and signing key (lookup), and labels stay on the broker Secrets', async (t) => {
  await withHelmAgainstStandIn(kind, async (helm, api) => {
    const install = ['upgrade', '--install', releaseName, chartDir, '-n', namespace, '-f', kind, '--disable-openapi-validation'];
    await helm(...install);
    const first = secrets(api);
    t.true(Object.keys(first).filter((k) => k.endsWith('-amqp password')).length >= 8, Object.keys(first).join(', '));
    for (const k of [
      'orderly-keda-rabbitmq password',
      'orderly-order-db password',
      'orderly-console-session secret',
      'orderly-identity signing-key',
      'orderly-identity account-passwords',
    ])
      t.truthy(first[k], k);
    // A change that re-renders every Secret's template: a new image tag and a new delivery limit.
    await helm(...install, '--set', 'image.tag=0.1.1', '--set', 'messaging.deliveryLimit=15');
    t.truthy(api.get('Secret', 'sh.helm.release.v1.orderly.v2'), 'the upgrade ran');
    t.deepEqual(secrets(api), first);
    t.is(api.get('Secret', 'orderly-order-amqp')?.metadata.labels?.['rabbitmq.com/topology-operator'], 'true');
    // A demo account added on upgrade gets its own new password; the others keep theirs.
    const passwords = (all: Record<string, string>) =>
      JSON.parse(Buffer.from(all['orderly-identity account-passwords']!, 'base64').toString()) as Record<string, string>;
    const accounts = 'C100:c100@example.com,C200:c200@example.com,C300:c300@example.com,ops:ops@orderly.example:orderly-operator';
    await helm(...install, '--set-string', `auth.demoProvider.accounts=${accounts.replaceAll(',', '\\,')}`);
    const after = passwords(secrets(api));
    t.like(after, passwords(first));
    t.deepEqual(Object.keys(after).sort(), ['C100', 'C200', 'C300', 'ops']);
    t.is(new Set(Object.values(after)).size, 4, "C300 shares no one's password");
  });
});

test('without a cluster to look in (helm template), the same values give new passwords: what the lookup prevents', async (t) => {
  const pw = async () => {
    const ms = await helmTemplate({ name: 'kind', valuesFile: kind });
    const secret = ms.find((m) => m.kind === 'Secret' && m.metadata.name === 'orderly-order-amqp') as unknown as {
      stringData: { password: string };
    };
    return secret.stringData.password;
  };
  t.not(await pw(), await pw());
});
