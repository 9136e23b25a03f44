import type { Manifest } from '../manifest.js';
import { serviceRunBy, workloads } from './workloads.js';

interface ScaledObject extends Manifest {
  spec: {
    scaleTargetRef: { name: string; kind?: string };
    triggers: { type: string; metadata: Record<string, string>; authenticationRef?: { name: string } }[];
  };
}

/**
 * Every consuming queue has a ScaledObject whose rabbitmq trigger reads that queue and whose target
 * is the Deployment that consumes it (the one running that service), with its auth rendered.
 */
export function checkScaling(manifests: Manifest[], consumers: readonly { queue: string; service: string }[], vhost: string): string[] {
  const problems: string[] = [];
  const scaled = manifests.filter((m): m is ScaledObject => m.kind === 'ScaledObject');
  const deployments = workloads(manifests, ['Deployment']);
  const auths = new Set(manifests.filter((m) => m.kind === 'TriggerAuthentication').map((m) => m.metadata.name));
  for (const { queue, service } of consumers) {
    const consumer = deployments.find((d) => d.pod.containers.some((c) => serviceRunBy(c) === service));
    if (!consumer) {
      problems.push(`queue ${queue}: no Deployment runs its consumer (services/${service})`);
      continue;
    }
    const matching = scaled.filter((s) => s.spec.triggers.some((t) => t.type === 'rabbitmq' && t.metadata.queueName === queue));
    if (matching.length === 0) {
      problems.push(`queue ${queue}: no ScaledObject has a rabbitmq trigger on it`);
      continue;
    }
    for (const s of matching) {
      const target = s.spec.scaleTargetRef;
      if ((target.kind ?? 'Deployment') !== 'Deployment' || target.name !== consumer.manifest.metadata.name) {
        problems.push(
          `ScaledObject/${s.metadata.name}: scales ${target.name}, but queue ${queue} is consumed by ${consumer.manifest.metadata.name}`,
        );
      }
      for (const t of s.spec.triggers.filter((x) => x.type === 'rabbitmq')) {
        if (t.metadata.vhostName !== vhost)
          problems.push(`ScaledObject/${s.metadata.name}: vhostName ${t.metadata.vhostName} is not ${vhost}`);
        if (t.metadata.protocol !== 'http')
          problems.push(`ScaledObject/${s.metadata.name}: protocol must be http to count unacknowledged messages`);
        if (!t.authenticationRef || !auths.has(t.authenticationRef.name)) {
          problems.push(`ScaledObject/${s.metadata.name}: TriggerAuthentication ${t.authenticationRef?.name} is not rendered`);
        }
      }
    }
  }
  const targets = scaled.map((s) => s.spec.scaleTargetRef.name);
  for (const dup of targets.filter((t, i) => targets.indexOf(t) !== i))
    problems.push(`Deployment ${dup}: scaled by more than one ScaledObject`);
  const hpas = manifests.filter((m) => m.kind === 'HorizontalPodAutoscaler');
  for (const h of hpas) {
    const name = (h.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name;
    if (targets.includes(name))
      problems.push(`HorizontalPodAutoscaler/${h.metadata.name}: ${name} is already scaled by KEDA; two autoscalers fight`);
  }
  return problems;
}
