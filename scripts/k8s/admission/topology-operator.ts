import { isDeepStrictEqual } from 'node:util';
import { describe, type Manifest } from '../manifest.js';

/**
 * The Messaging Topology Operator's admission webhooks (failurePolicy: Fail, config/webhook/manifests.yaml)
 * at the pinned v1.20.1 (RABBITMQ_TOPOLOGY_OPERATOR_VERSION), which the CRD schemas do not show.
 * Sources, all under internal/webhook/v1beta1/ unless said otherwise.
 */
const topologyKinds = ['User', 'Permission', 'Vhost', 'Exchange', 'Queue', 'Binding', 'Policy'];
const group = 'rabbitmq.com/';
/** api/v1beta1/labels.go: the label of every Secret the operator may read (its cache holds no other). */
export const secretLabel = ['rabbitmq.com/topology-operator', 'true'] as const;

interface ClusterRef {
  name?: string;
  namespace?: string;
  connectionSecret?: { name: string };
}
type Spec = Record<string, unknown> & { rabbitmqClusterReference?: ClusterRef };
const specOf = (m: Manifest) => (m.spec ?? {}) as Spec;
const isTopology = (m: Manifest) => m.apiVersion.startsWith(group) && topologyKinds.includes(m.kind);

/** Checks made when an object is created. */
export function topologyCreateProblems(manifests: Manifest[]): string[] {
  const problems: string[] = [];
  const secrets = new Map(manifests.filter((m) => m.kind === 'Secret').map((m) => [m.metadata.name, m]));
  /** label_validation.go validateSecretLabel: a referenced Secret must exist and carry the label. */
  const labelled = (m: Manifest, path: string, name: string | undefined) => {
    if (!name) return;
    const secret = secrets.get(name);
    if (!secret) problems.push(`${describe(m)}: ${path} names Secret ${name}, which the chart does not render ("secret not found")`);
    else if (secret.metadata.labels?.[secretLabel[0]] !== secretLabel[1])
      problems.push(
        `${describe(m)}: Secret ${name} (${path}) must have label ${secretLabel[0]}=${secretLabel[1]} (user_webhook.go, label_validation.go)`,
      );
  };
  for (const m of manifests.filter(isTopology)) {
    const spec = specOf(m);
    const ref = spec.rabbitmqClusterReference ?? {};
    // api/v1beta1/rabbitmq_cluster_reference.go ValidateOnCreate: name or connectionSecret, not both.
    if (Boolean(ref.name) === Boolean(ref.connectionSecret))
      problems.push(`${describe(m)}: rabbitmqClusterReference needs exactly one of name and connectionSecret`);
    labelled(m, 'rabbitmqClusterReference.connectionSecret', ref.connectionSecret?.name);
    if (m.kind === 'User') labelled(m, 'importCredentialsSecret', (spec.importCredentialsSecret as { name?: string } | undefined)?.name);
    // queue_webhook.go ValidateCreate (durable defaults to true: queue_defaulter_webhook.go).
    if (m.kind === 'Queue' && spec.type === 'quorum' && spec.durable === false)
      problems.push(`${describe(m)}: quorum queues must have durable set to true`);
    // permission_webhook.go ValidateCreate: user or userReference, not both.
    if (m.kind === 'Permission' && Boolean(spec.user) === Boolean(spec.userReference))
      problems.push(`${describe(m)}: needs exactly one of spec.user and spec.userReference`);
  }
  return problems;
}

/**
 * The fields each kind's ValidateUpdate refuses to change (and rabbitmqClusterReference, compared
 * by RabbitmqClusterReference.Matches: name, namespace, connectionSecret). A changed field means a
 * `helm upgrade` that the webhook aborts — unless the object's name changes with it (a new object).
 */
export const immutable: Record<string, { fields: string[]; source: string }> = {
  Queue: {
    fields: ['name', 'vhost', 'type', 'autoDelete', 'durable', 'arguments'],
    source: 'queue_webhook.go ValidateUpdate',
  },
  Exchange: { fields: ['name', 'vhost', 'type', 'autoDelete', 'durable'], source: 'exchange_webhook.go ValidateUpdate' },
  Binding: {
    fields: ['vhost', 'source', 'destination', 'destinationType', 'routingKey', 'arguments'],
    source: 'binding_webhook.go ValidateUpdate',
  },
  Policy: { fields: ['name', 'vhost'], source: 'policy_webhook.go ValidateUpdate (pattern, definition, priority, applyTo may change)' },
  Permission: {
    fields: ['user', 'userReference', 'vhost'],
    source: 'permission_webhook.go ValidateUpdate (the permissions themselves may change)',
  },
  Vhost: { fields: ['name'], source: 'vhost_webhook.go ValidateUpdate' },
  User: { fields: [], source: 'user_webhook.go ValidateUpdate' },
};

/** What the webhook compares: an absent durable is true once defaulted (queue_defaulter_webhook.go). */
function effective(kind: string, field: string, value: unknown): unknown {
  if (kind === 'Queue' && field === 'durable') return value ?? true;
  if (field === 'autoDelete' || (kind === 'Exchange' && field === 'durable')) return value ?? false;
  return value;
}

/** Same-named topology objects in two renders whose protected fields differ. */
export function topologyUpdateProblems(previous: Manifest[], next: Manifest[]): string[] {
  const problems: string[] = [];
  for (const m of next.filter(isTopology)) {
    const old = previous.find((p) => p.kind === m.kind && p.metadata.name === m.metadata.name);
    if (!old) continue;
    const rule = immutable[m.kind]!;
    const [a, b] = [specOf(old), specOf(m)];
    for (const f of rule.fields) {
      if (!isDeepStrictEqual(effective(m.kind, f, a[f]), effective(m.kind, f, b[f])))
        problems.push(`${describe(m)}: spec.${f} changes ${JSON.stringify(a[f])} → ${JSON.stringify(b[f])}, which ${rule.source} forbids`);
    }
    const [ra, rb] = [a.rabbitmqClusterReference ?? {}, b.rabbitmqClusterReference ?? {}];
    if (ra.name !== rb.name || ra.namespace !== rb.namespace || ra.connectionSecret?.name !== rb.connectionSecret?.name)
      problems.push(`${describe(m)}: spec.rabbitmqClusterReference changes, which ${rule.source} forbids`);
  }
  return problems;
}
