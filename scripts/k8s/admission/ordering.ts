import type { Manifest } from '../manifest.js';
import { type Action, has, steps, where } from './helm-order.js';

interface PodSpecRefs {
  serviceAccountName?: string;
  containers: { env?: { valueFrom?: { secretKeyRef?: { name: string } } }[]; envFrom?: { secretRef?: { name: string } }[] }[];
  volumes?: { secret?: { secretName: string } }[];
}
interface ManagedRoles {
  managed?: { roles?: { name: string; passwordSecret?: { name: string } }[] };
}

const podSpec = (m: Manifest): PodSpecRefs | undefined => (m.spec as { template?: { spec: PodSpecRefs } } | undefined)?.template?.spec;

/** The Secrets a pod reads. */
function secretsRead(pod: PodSpecRefs): string[] {
  const names = new Set<string>();
  for (const c of pod.containers) {
    for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) names.add(e.valueFrom.secretKeyRef.name);
    for (const e of c.envFrom ?? []) if (e.secretRef) names.add(e.secretRef.name);
  }
  for (const v of pod.volumes ?? []) if (v.secret) names.add(v.secret.secretName);
  return [...names];
}

/**
 * What must exist before an object is sent, or it is refused or never gets anywhere:
 * - a hook's pod: its ServiceAccount, the Secrets it reads, and the CloudNativePG role whose
 *   password one of them holds — Helm waits for a hook Job to complete before it applies anything
 *   else, so what comes after it can never arrive in time (the hook hangs until its deadline);
 * - a User: its importCredentialsSecret (Messaging Topology Operator v1.20.1,
 *   internal/webhook/v1beta1/user_webhook.go ValidateCreate → label_validation.go: "secret … not
 *   found" when absent);
 * - a ScaledObject with a cpu or memory trigger: its target Deployment (KEDA v2.20.2,
 *   apis/keda/v1alpha1/scaledobject_webhook.go verifyCPUMemoryScalers reads it to check requests).
 */
function needs(m: Manifest, all: Manifest[]): { kind: string; name: string; why: string }[] {
  const out: { kind: string; name: string; why: string }[] = [];
  const hook = (m.metadata.annotations?.['helm.sh/hook'] ?? '') !== '';
  const pod = podSpec(m);
  if (hook && pod) {
    if (pod.serviceAccountName) out.push({ kind: 'ServiceAccount', name: pod.serviceAccountName, why: 'its pod runs as it' });
    for (const s of secretsRead(pod)) {
      out.push({ kind: 'Secret', name: s, why: 'its pod reads it' });
      for (const cluster of all.filter((x) => x.kind === 'Cluster')) {
        const role = (cluster.spec as ManagedRoles).managed?.roles?.find((r) => r.passwordSecret?.name === s);
        if (role)
          out.push({ kind: 'Cluster', name: `${cluster.metadata.name}#role=${role.name}`, why: `its pod logs in as role ${role.name}` });
      }
    }
  }
  if (m.kind === 'User') {
    const secret = (m.spec as { importCredentialsSecret?: { name: string } }).importCredentialsSecret?.name;
    if (secret)
      out.push({ kind: 'Secret', name: secret, why: 'the User webhook refuses a User whose importCredentialsSecret is not found' });
  }
  if (m.kind === 'ScaledObject') {
    const spec = m.spec as { scaleTargetRef: { name: string; kind?: string }; triggers: { type: string }[] };
    if (spec.triggers.some((t) => t.type === 'cpu' || t.type === 'memory'))
      out.push({
        kind: spec.scaleTargetRef.kind ?? 'Deployment',
        name: spec.scaleTargetRef.name,
        why: 'the ScaledObject webhook reads it for a cpu/memory trigger',
      });
  }
  return out;
}

/** A role "exists" when a Cluster that already exists lists it among its managed roles. */
function exists(existing: Manifest[], kind: string, name: string): boolean {
  if (kind !== 'Cluster' || !name.includes('#role=')) return has(existing, kind, name);
  const [cluster, role] = name.split('#role=') as [string, string];
  return existing.some(
    (m) => m.kind === 'Cluster' && m.metadata.name === cluster && (m.spec as ManagedRoles).managed?.roles?.some((r) => r.name === role),
  );
}

/** Every object whose needs do not exist before Helm sends it, on an install or on an upgrade from `previous`. */
export function orderingProblems(action: Action, next: Manifest[], previous: Manifest[] = []): string[] {
  const problems: string[] = [];
  for (const s of steps(action, next, previous)) {
    for (const n of needs(s.object, next)) {
      if (!exists(s.existing, n.kind, n.name)) problems.push(`${where(s, action)}: ${n.kind} ${n.name} does not exist yet (${n.why})`);
    }
  }
  return problems;
}
