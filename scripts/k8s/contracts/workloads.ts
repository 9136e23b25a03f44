import type { Manifest } from '../manifest.js';

/** The pod-level shapes the contracts read (a subset of the core types, already schema-checked). */
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string; key: string }; fieldRef?: unknown };
}
export interface Probe {
  httpGet?: { path?: string; port: number | string };
}
export interface Container {
  name: string;
  image?: string;
  args?: string[];
  command?: string[];
  env?: EnvVar[];
  ports?: { name?: string; containerPort: number }[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
}
export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  terminationGracePeriodSeconds?: number;
}

/** A Deployment or Job of a service, with the component it runs (app.kubernetes.io/component). */
export interface Workload {
  manifest: Manifest;
  component: string;
  pod: PodSpec;
}

export const componentOf = (m: Manifest) => m.metadata.labels?.['app.kubernetes.io/component'] ?? '';

export function workloads(manifests: Manifest[], kinds: string[] = ['Deployment', 'Job']): Workload[] {
  return manifests
    .filter((m) => kinds.includes(m.kind))
    .map((m) => ({
      manifest: m,
      component: componentOf(m),
      pod: (m.spec as { template: { spec: PodSpec } }).template.spec,
    }));
}

/** The service a container runs, read from its entry point: services/<name>/dist/src/main.js. */
export function serviceRunBy(c: Container): string | undefined {
  const argv = [...(c.command ?? []), ...(c.args ?? [])];
  for (const a of argv) {
    const m = /^(?:\.\/)?services\/([a-z0-9-]+)\/dist\/src\/main\.js$/.exec(a);
    if (m) return m[1];
  }
  return undefined;
}

export function allImages(manifests: Manifest[]): { where: string; image: string }[] {
  return workloads(manifests).flatMap((w) =>
    [...w.pod.containers, ...(w.pod.initContainers ?? [])].map((c) => ({
      where: `${w.manifest.kind}/${w.manifest.metadata.name}`,
      image: c.image ?? '',
    })),
  );
}
