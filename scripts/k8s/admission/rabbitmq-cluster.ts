import { describe, type Manifest } from '../manifest.js';
import { bytes } from './quantity.js';

/**
 * The RabbitMQ cluster operator at the pinned v2.22.3 (RABBITMQ_CLUSTER_OPERATOR_VERSION): its
 * webhook and the rules its controller applies to a RabbitmqCluster, which the CRD does not show.
 */
interface ClusterSpec {
  replicas?: number;
  resources?: { limits?: { memory?: string } };
  persistence?: { storage?: string };
  rabbitmq?: { additionalConfig?: string };
  override?: { statefulSet?: { spec?: { template?: { spec?: OverridePod } } } };
}
interface OverrideContainer {
  securityContext?: {
    privileged?: boolean;
    allowPrivilegeEscalation?: boolean;
    runAsUser?: number;
    runAsNonRoot?: boolean;
    capabilities?: { add?: string[] };
  };
}
interface OverridePod {
  hostPID?: boolean;
  hostNetwork?: boolean;
  hostIPC?: boolean;
  serviceAccountName?: string;
  volumes?: { hostPath?: unknown }[];
  containers?: OverrideContainer[];
  initContainers?: OverrideContainer[];
}

const clusters = (ms: Manifest[]) => ms.filter((m) => m.kind === 'RabbitmqCluster' && m.apiVersion.startsWith('rabbitmq.com/'));
const specOf = (m: Manifest) => (m.spec ?? {}) as ClusterSpec;

/** A setting of rabbitmq.conf as the chart's additionalConfig sets it (it is appended after the operator's). */
const setting = (spec: ClusterSpec, key: string) =>
  new RegExp(`^\\s*${key.replaceAll('.', '\\.')}\\s*=\\s*(\\S+)`, 'm').exec(spec.rabbitmq?.additionalConfig ?? '')?.[1];

/** RabbitMQ's information units: kB/MB/GB are powers of 1000, kiB/MiB/GiB of 1024 (rabbitmq.conf). */
function rabbitBytes(value: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKMGT]i?B)?$/.exec(value);
  if (!m) throw new Error(`unexpected RabbitMQ size ${value}`);
  const unit = m[2] ?? '';
  const power = { '': 0, k: 1, K: 1, M: 2, G: 3, T: 4 }[unit.charAt(0)] ?? 0;
  return Number(m[1]) * (unit.includes('i') ? 1024 : 1000) ** power;
}

/** internal/resource/configmap.go defaultRabbitmqConf: disk_free_limit.absolute = 2GB, unless additionalConfig sets it. */
export const diskFreeLimitBytes = (spec: ClusterSpec) => rabbitBytes(setting(spec, 'disk_free_limit.absolute') ?? '2GB');

/**
 * Where the memory alarm blocks publishers: the watermark (RabbitMQ 4.x's default is 0.6 —
 * rabbit.app of 4.3.6 — unless additionalConfig sets it) of the memory the operator tells the node
 * it has: the container limit less headroom (configmap.go removeHeadroom: a fifth, at most 2 GiB).
 */
export function memoryAlarmBytes(spec: ClusterSpec): number {
  const limit = bytes(spec.resources?.limits?.memory ?? '2Gi');
  const headroom = Math.min(limit / 5, 2 * 1024 ** 3);
  const watermark = Number(setting(spec, 'vm_memory_high_watermark.relative') ?? '0.6');
  return (limit - headroom) * watermark;
}

/** Room the broker needs on its volume above the disk alarm: message store, quorum-queue logs and their segments. */
const diskRoom = 1024 ** 3;

export function rabbitmqCreateProblems(manifests: Manifest[]): string[] {
  const problems: string[] = [];
  for (const m of clusters(manifests)) {
    const spec = specOf(m);
    const storage = spec.persistence?.storage;
    if (storage !== undefined && bytes(storage) < diskFreeLimitBytes(spec) + diskRoom)
      problems.push(
        `${describe(m)}: persistence.storage ${storage} leaves less than 1 GiB above disk_free_limit (${diskFreeLimitBytes(spec) / 1e9} GB, the operator's default in internal/resource/configmap.go): the broker starts in disk alarm and blocks every publisher where the volume size is enforced`,
      );
    // internal/webhook/v1beta1/rabbitmqcluster_webhook.go validatePodSpecOverride.
    const pod = spec.override?.statefulSet?.spec?.template?.spec;
    if (pod) {
      if (pod.hostPID || pod.hostNetwork || pod.hostIPC) problems.push(`${describe(m)}: host namespaces are not permitted in override`);
      if (pod.serviceAccountName) problems.push(`${describe(m)}: serviceAccountName cannot be overridden`);
      if (pod.volumes?.some((v) => v.hostPath)) problems.push(`${describe(m)}: hostPath volumes are not permitted in override`);
      for (const c of [...(pod.containers ?? []), ...(pod.initContainers ?? [])]) {
        const s = c.securityContext ?? {};
        if (s.privileged || s.allowPrivilegeEscalation || s.runAsUser === 0 || s.runAsNonRoot === false || s.capabilities?.add)
          problems.push(`${describe(m)}: override grants a container privileges the webhook refuses`);
      }
    }
  }
  return problems;
}

/** What the controller refuses on a change: scale-down (internal/controller/reconcile_scale_down.go) and shrinking volumes (internal/scaling/scaling.go). */
export function rabbitmqUpdateProblems(previous: Manifest[], next: Manifest[]): string[] {
  const problems: string[] = [];
  for (const m of clusters(next)) {
    const old = clusters(previous).find((p) => p.metadata.name === m.metadata.name);
    if (!old) continue;
    const [a, b] = [specOf(old), specOf(m)];
    if ((b.replicas ?? 1) < (a.replicas ?? 1))
      problems.push(`${describe(m)}: replicas ${a.replicas} → ${b.replicas}: "Cluster Scale down not supported" (reconcile_scale_down.go)`);
    if (bytes(b.persistence?.storage ?? '10Gi') < bytes(a.persistence?.storage ?? '10Gi'))
      problems.push(
        `${describe(m)}: persistence.storage ${a.persistence?.storage} → ${b.persistence?.storage}: "shrinking persistent volumes is not supported" (scaling.go)`,
      );
  }
  return problems;
}
