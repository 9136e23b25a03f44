import { consoleAccess, publishers, queuesReadBy, type TopologyMode, topology } from '@orderly/events';
import { applyPolicies, assertTopology, managementClient, removeStaleBindings, vhostOf } from '@orderly/platform';
import amqp from 'amqplib';
import { brokerUser, type CredentialHolder, credentialHolders } from './credential-holders.ts';

const exactRegex = (names: string[]) => (names.length ? `^(${names.map((n) => n.replace(/\./g, '\\.')).join('|')})$` : '^$');

/** The Permission the chart grants a service (or the console) in a saga mode (broker-access.yaml, from the same catalog). */
export function permissionOf(mode: TopologyMode, service: CredentialHolder) {
  if (service === 'console') {
    const { publishes, consumes } = consoleAccess(mode);
    return { configure: '^$', write: exactRegex(publishes), read: exactRegex(consumes) };
  }
  return {
    configure: '^$',
    write: exactRegex(publishers(mode)[service] ?? []),
    read: exactRegex(queuesReadBy(mode, service)),
  };
}

export interface PrepareOptions {
  /** An administrator's AMQP URL on the vhost. */
  adminAmqpUrl: string;
  managementUrl: string;
  /** A saga mode, or 'switching': both modes' messages while a switch drains (decision 0022). */
  mode: TopologyMode;
  deliveryLimit?: number;
  brokerPrefix?: string;
}

/**
 * The administrator step before the services start: declares the mode's topology, applies its
 * policies, removes bindings of the other mode, and grants each service user the chart's
 * Permission for the mode (configure nothing). Idempotent; run on every start.
 */
export async function prepareBroker({ adminAmqpUrl, managementUrl, mode, deliveryLimit = 20, brokerPrefix = 'orderly-' }: PrepareOptions) {
  const vhost = vhostOf(adminAmqpUrl);
  const definition = topology({ mode, deliveryLimit });
  const model = await amqp.connect(adminAmqpUrl, { clientProperties: { connection_name: 'orderly-topology-admin' } });
  model.on('error', () => {});
  try {
    await assertTopology(model, definition);
  } finally {
    await model.close().catch(() => {});
  }
  await applyPolicies(managementUrl, vhost, definition.policies);
  const stale = await removeStaleBindings(managementUrl, vhost, definition);
  const api = managementClient(managementUrl, 30_000).json;
  for (const s of credentialHolders) {
    await api(
      'PUT',
      `api/permissions/${encodeURIComponent(vhost)}/${encodeURIComponent(brokerUser(s, brokerPrefix))}`,
      permissionOf(mode, s),
    );
  }
  return { removedBindings: stale.length };
}
