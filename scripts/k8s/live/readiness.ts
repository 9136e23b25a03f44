/**
 * Pure readiness rules over objects as the API server returns them (tested against recorded
 * responses in scripts/k8s/live/test/fixtures).
 */
export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface Readiness {
  name: string;
  ready: boolean;
  why: string;
}

const condition = (conditions: Condition[] | undefined, type: string) => conditions?.find((c) => c.type === type);

/** A RabbitmqCluster is ready when its AllReplicasReady condition is True (the operator's own verdict). */
export function rabbitmqClusterReadiness(cluster: { metadata: { name: string }; status?: { conditions?: Condition[] } }): Readiness {
  const c = condition(cluster.status?.conditions, 'AllReplicasReady');
  if (!c) return { name: `RabbitmqCluster/${cluster.metadata.name}`, ready: false, why: 'no AllReplicasReady condition yet' };
  return {
    name: `RabbitmqCluster/${cluster.metadata.name}`,
    ready: c.status === 'True',
    why: c.status === 'True' ? 'AllReplicasReady' : `${c.reason ?? 'AllReplicasReady=False'}${c.message ? `: ${c.message}` : ''}`,
  };
}

interface DeploymentLike {
  metadata: { name: string; generation?: number };
  spec?: { replicas?: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    conditions?: Condition[];
  };
}

/**
 * A Deployment is available once the controller has seen its latest spec, every replica runs the
 * new template, and all of them pass readiness: what `kubectl rollout status` waits for.
 */
export function deploymentReadiness(d: DeploymentLike): Readiness {
  const name = `Deployment/${d.metadata.name}`;
  const want = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  if ((s.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) return { name, ready: false, why: 'spec change not yet observed' };
  if ((s.updatedReplicas ?? 0) < want) return { name, ready: false, why: `${s.updatedReplicas ?? 0}/${want} replicas updated` };
  if ((s.replicas ?? 0) > (s.updatedReplicas ?? 0))
    return { name, ready: false, why: `${(s.replicas ?? 0) - (s.updatedReplicas ?? 0)} old replicas terminating` };
  if ((s.availableReplicas ?? 0) < want) return { name, ready: false, why: `${s.availableReplicas ?? 0}/${want} replicas available` };
  const available = condition(s.conditions, 'Available');
  if (available?.status !== 'True') return { name, ready: false, why: available?.reason ?? 'not Available' };
  return { name, ready: true, why: `${want}/${want} available` };
}

export const allReady = (rs: Readiness[]) => rs.length > 0 && rs.every((r) => r.ready);

export function describeWaiting(rs: Readiness[]): string {
  const waiting = rs.filter((r) => !r.ready);
  return waiting.length === 0 ? 'all ready' : `waiting for ${waiting.map((r) => `${r.name} (${r.why})`).join(', ')}`;
}
