import type { AddressInfo } from 'node:net';
import { createApp, createLogger, createMetrics, Lifecycle } from '@orderly/platform';
import type { Manifest } from '../manifest.js';
import { resolveEnv } from './env.js';
import type { Container, Probe } from './workloads.js';
import { workloads } from './workloads.js';

/**
 * Probe paths are asked of the platform's real HTTP app (the one every service serves), so a
 * renamed endpoint fails here; the probe's port must be the container port the service listens
 * on (its PORT variable).
 */
export async function servedPaths(paths: string[]): Promise<Map<string, number>> {
  const lifecycle = new Lifecycle();
  lifecycle.markReady();
  const app = createApp({ logger: createLogger('k8s-check', 'silent'), metrics: createMetrics('k8s-check'), lifecycle });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const status = new Map<string, number>();
  try {
    for (const p of new Set(paths)) status.set(p, (await fetch(`http://127.0.0.1:${port}${p}`)).status);
  } finally {
    server.close();
  }
  return status;
}

type ProbeName = 'startupProbe' | 'livenessProbe' | 'readinessProbe';
const probeNames: ProbeName[] = ['startupProbe', 'livenessProbe', 'readinessProbe'];

export function probeTargets(c: Container): { probe: ProbeName; path: string; port: number | undefined }[] {
  return probeNames.flatMap((name) => {
    const p: Probe | undefined = c[name];
    if (!p?.httpGet) return [];
    const port = typeof p.httpGet.port === 'number' ? p.httpGet.port : c.ports?.find((x) => x.name === p.httpGet!.port)?.containerPort;
    return [{ probe: name, path: p.httpGet.path ?? '/', port }];
  });
}

export async function checkProbes(manifests: Manifest[]): Promise<string[]> {
  const problems: string[] = [];
  const deployments = workloads(manifests, ['Deployment']);
  const targets = deployments.flatMap((w) => w.pod.containers.map((c) => ({ w, c, probes: probeTargets(c) })));
  const status = await servedPaths(targets.flatMap((t) => t.probes.map((p) => p.path)));
  for (const { w, c, probes } of targets) {
    const where = `Deployment/${w.manifest.metadata.name} ${c.name}`;
    if (!probes.some((p) => p.probe === 'readinessProbe')) problems.push(`${where}: no HTTP readiness probe`);
    if (!probes.some((p) => p.probe === 'livenessProbe')) problems.push(`${where}: no HTTP liveness probe`);
    const port = Number(resolveEnv(c.env ?? [], manifests).env.PORT);
    for (const p of probes) {
      if (status.get(p.path) !== 200)
        problems.push(`${where} ${p.probe}: ${p.path} answers ${status.get(p.path)} from the service, not 200`);
      if (p.port !== port) problems.push(`${where} ${p.probe}: port ${p.port} is not the service's PORT ${port}`);
    }
    if (!c.ports?.some((x) => x.containerPort === port)) problems.push(`${where}: no containerPort for PORT ${port}`);
  }
  return problems;
}
