import { readFile } from 'node:fs/promises';
import YAML from 'yaml';
import type { Manifest } from '../manifest.js';
import { allImages, serviceRunBy, workloads } from './workloads.js';

interface SkaffoldConfig {
  build?: { artifacts?: { image: string; docker?: { target?: string; dockerfile?: string } }[] };
  deploy?: { helm?: { releases?: { setValueTemplates?: Record<string, string> }[] } };
}

export async function readSkaffold(file = 'skaffold.yaml'): Promise<SkaffoldConfig> {
  return YAML.parse(await readFile(file, 'utf8')) as SkaffoldConfig;
}

/**
 * The values skaffold passes to helm, with its template variables filled in as skaffold would for
 * a local build: IMAGE_REPO_x → the artifact's image name, IMAGE_TAG_x → a tag, IMAGE_DIGEST_x → a digest.
 */
export function skaffoldValues(config: SkaffoldConfig): Record<string, string> {
  const templates = config.deploy?.helm?.releases?.[0]?.setValueTemplates ?? {};
  const artifacts = new Map((config.build?.artifacts ?? []).map((a) => [a.image.replace(/[^A-Za-z0-9]/g, '_'), a.image]));
  const fill = (t: string) =>
    t.replace(/\{\{\s*\.IMAGE_(REPO|TAG|DIGEST)_([A-Za-z0-9_]+)\s*\}\}/g, (_m, part: string, id: string) => {
      if (part === 'REPO') return artifacts.get(id) ?? `unknown-artifact-${id}`;
      if (part === 'TAG') return 'skaffold';
      return `sha256:${'0'.repeat(64)}`;
    });
  return Object.fromEntries(Object.entries(templates).map(([k, v]) => [k, fill(v)]));
}

export const repositoryOf = (image: string) => image.replace(/@sha256:[0-9a-f]+$/, '').replace(/:[^/:]+$/, '');

/** Every image a workload of the chart (rendered with skaffold's values) runs is an artifact skaffold builds. */
export function checkImages(manifests: Manifest[], config: SkaffoldConfig): string[] {
  const built = new Set((config.build?.artifacts ?? []).map((a) => a.image));
  return allImages(manifests)
    .filter(({ image }) => !built.has(repositoryOf(image)))
    .map(({ where, image }) => `${where}: image ${image} is not built by skaffold (artifacts: ${[...built].join(', ')})`);
}

/**
 * Every service package (services/<name>/src/main.ts) is deployed by the chart and built by
 * skaffold from its Dockerfile target: a new service cannot be forgotten on the Kubernetes side.
 */
export function checkCoverage(manifests: Manifest[], services: string[], config: SkaffoldConfig): string[] {
  const deployed = new Set(workloads(manifests, ['Deployment']).flatMap((w) => w.pod.containers.map(serviceRunBy)));
  const artifacts = config.build?.artifacts ?? [];
  return services.flatMap((s) => {
    const problems: string[] = [];
    if (!deployed.has(s)) problems.push(`services/${s}: no Deployment runs it (enable components.${s} in charts/orderly/values.yaml)`);
    const artifact = artifacts.find((a) => a.docker?.target === s);
    if (!artifact) problems.push(`services/${s}: no skaffold artifact builds Dockerfile target ${s}`);
    return problems;
  });
}
