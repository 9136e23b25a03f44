import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import jsonPatch, { type Operation } from 'fast-json-patch';
import YAML from 'yaml';
import { chartDir, helmBinary, kubeVersion, namespace, parseManifests, releaseName } from './helm.js';
import type { Manifest } from './manifest.js';

const run = promisify(execFile);

/** The parts of skaffold.yaml the checks read. */
export interface SkaffoldDoc {
  build: {
    artifacts: { image: string; docker?: { target?: string }; custom?: { buildCommand: string } }[];
    local: { push?: boolean; useBuildkit?: boolean };
  };
  deploy: { helm: { releases: { valuesFiles: string[]; setValueTemplates?: Record<string, string> }[] } };
  portForward: { resourceType: string; resourceName: string; namespace: string; port: number; localPort: number }[];
  profiles: { name: string; patches?: Operation[] }[];
}

export const readSkaffoldDoc = (file = 'skaffold.yaml'): SkaffoldDoc => YAML.parse(readFileSync(file, 'utf8')) as SkaffoldDoc;

/** skaffold.yaml as skaffold sees it with `-p a,b`: each profile's JSON patches applied in order (RFC 6902, as skaffold does). */
export function withProfiles(doc: SkaffoldDoc, names: string[]): SkaffoldDoc {
  let out = jsonPatch.deepClone(doc) as SkaffoldDoc;
  for (const name of names) {
    const profile = doc.profiles.find((p) => p.name === name);
    if (!profile) throw new Error(`skaffold.yaml has no profile ${name}`);
    out = jsonPatch.applyPatch(out, profile.patches ?? [], true, false).newDocument;
  }
  return out;
}

/** `helm template` with several values files in order (as skaffold's release passes them) and --set-string pairs. */
export async function helmTemplateFiles(valuesFiles: string[], set: Record<string, string> = {}): Promise<Manifest[]> {
  const args = ['template', releaseName, chartDir, '-n', namespace, '--kube-version', kubeVersion];
  for (const f of valuesFiles) args.push('-f', f);
  for (const [k, v] of Object.entries(set)) args.push('--set-string', `${k}=${v}`);
  const { stdout } = await run(helmBinary(), args, { maxBuffer: 64 * 1024 * 1024 });
  return parseManifests(stdout);
}
