import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { chartDir, type Profile } from './helm.js';

/** Every values profile under charts/orderly/ci (<name>-values.yaml): CI checks each of them. */
export function profiles(dir = join(chartDir, 'ci')): Profile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('-values.yaml'))
    .sort()
    .map((f) => ({ name: f.replace(/-values\.yaml$/, ''), valuesFile: join(dir, f) }));
}
