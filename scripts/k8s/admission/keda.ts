import { secretValue } from '../contracts/env.js';
import { describe, type Manifest } from '../manifest.js';

/**
 * KEDA's ScaledObject webhook at the pinned v2.20.2 (KEDA_CHART_VERSION 2.20.2):
 * apis/keda/v1alpha1/scaledobject_webhook.go validateWorkload and the helpers it calls.
 * verifyScaledObjects/verifyHpas (one autoscaler per target) are contracts/scaling.ts.
 */
interface Trigger {
  type: string;
  name?: string;
  useCachedMetrics?: boolean;
  metadata: Record<string, string>;
  authenticationRef?: { name: string };
}
interface ScaledObjectSpec {
  scaleTargetRef: { name: string; kind?: string };
  minReplicaCount?: number;
  maxReplicaCount?: number;
  idleReplicaCount?: number;
  advanced?: { horizontalPodAutoscalerConfig?: { name?: string } };
  triggers: Trigger[];
}
interface Resources {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
}

/** maxK8sLabelValueLength: the name is a label value, and so is keda-hpa-<name> (getHpaName). */
const maxName = 63;

export function kedaCreateProblems(manifests: Manifest[]): string[] {
  const problems: string[] = [];
  for (const so of manifests.filter((m) => m.kind === 'ScaledObject')) {
    const spec = so.spec as ScaledObjectSpec;
    const at = describe(so);
    // verifyName.
    const hpa = spec.advanced?.horizontalPodAutoscalerConfig?.name || `keda-hpa-${so.metadata.name}`;
    if (so.metadata.name.length > maxName) problems.push(`${at}: name longer than ${maxName} characters`);
    if (hpa.length > maxName)
      problems.push(`${at}: HPA name ${hpa} longer than ${maxName} characters (set horizontalPodAutoscalerConfig.name)`);
    // verifyReplicaCount → scaledobject_types.go CheckReplicaCountBoundsAreValid (max defaults to 100).
    const min = spec.minReplicaCount ?? 0;
    if (min > (spec.maxReplicaCount ?? 100))
      problems.push(`${at}: MinReplicaCount=${min} must be less than MaxReplicaCount=${spec.maxReplicaCount}`);
    if (spec.idleReplicaCount !== undefined && spec.idleReplicaCount >= min)
      problems.push(`${at}: IdleReplicaCount must be less than MinReplicaCount`);
    // verifyTriggers → scaletriggers_types.go ValidateTriggers.
    if (spec.triggers.length === 0) problems.push(`${at}: no triggers defined`);
    const names = spec.triggers.map((t) => t.name).filter(Boolean);
    for (const n of names.filter((x, i) => names.indexOf(x) !== i)) problems.push(`${at}: triggerName ${n} is defined multiple times`);
    for (const t of spec.triggers)
      if (t.useCachedMetrics && ['cpu', 'memory', 'cron'].includes(t.type))
        problems.push(`${at}: useCachedMetrics is not supported for ${t.type}`);
    // verifyCPUMemoryScalers: every container of the target has the request; not only cpu/memory triggers with min 0.
    const resourceTriggers = spec.triggers.filter((t) => t.type === 'cpu' || t.type === 'memory');
    if (resourceTriggers.length > 0) {
      const target = manifests.find(
        (m) => m.kind === (spec.scaleTargetRef.kind ?? 'Deployment') && m.metadata.name === spec.scaleTargetRef.name,
      );
      const containers = (target?.spec as { template?: { spec: { containers: { name: string; resources?: Resources }[] } } } | undefined)
        ?.template?.spec.containers;
      if (!containers) problems.push(`${at}: target ${spec.scaleTargetRef.name} is not rendered (the webhook reads it)`);
      for (const t of resourceTriggers)
        for (const c of containers ?? [])
          if (
            (!t.metadata.containerName || t.metadata.containerName === c.name) &&
            !c.resources?.requests?.[t.type] &&
            !c.resources?.limits?.[t.type]
          )
            problems.push(`${at}: a ${t.type} trigger but container ${c.name} doesn't have the ${t.type} request defined`);
      if (resourceTriggers.length === spec.triggers.length && min === 0)
        problems.push(`${at}: only cpu/memory triggers and minReplicaCount 0 (scale to zero doesn't work)`);
    }
  }
  // triggerauthentication_webhook.go validateSpec checks only podIdentity (unused here); the scaler then reads each secretTargetRef, which must exist with its key.
  for (const ta of manifests.filter((m) => m.kind === 'TriggerAuthentication')) {
    for (const ref of (ta.spec as { secretTargetRef?: { name: string; key: string }[] }).secretTargetRef ?? [])
      if (secretValue(manifests, ref.name, ref.key) === undefined)
        problems.push(`${describe(ta)}: Secret ${ref.name} key ${ref.key} is not rendered`);
  }
  return problems;
}
