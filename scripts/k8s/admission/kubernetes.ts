import { isDeepStrictEqual } from 'node:util';
import { describe, type Manifest } from '../manifest.js';

/**
 * Fields of built-in kinds that the API server refuses to change in place (Kubernetes' own update
 * validation, pkg/apis/{apps,batch,core}/validation: ValidateDeploymentUpdate, ValidateJobUpdate,
 * ValidateSecretUpdate), so a `helm upgrade` that changes one fails with "field is immutable".
 * These rules were taken from the API reference, not read from the Kubernetes source here.
 */
const rules: Record<string, { path: string[]; what: string }[]> = {
  Deployment: [{ path: ['spec', 'selector'], what: 'spec.selector' }],
  Job: [
    { path: ['spec', 'selector'], what: 'spec.selector' },
    { path: ['spec', 'template'], what: 'spec.template' },
    { path: ['spec', 'completions'], what: 'spec.completions' },
  ],
  Secret: [{ path: ['type'], what: 'type' }],
};

const at = (m: Manifest, path: string[]) => path.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], m);

export function coreUpdateProblems(previous: Manifest[], next: Manifest[]): string[] {
  const problems: string[] = [];
  for (const m of next) {
    const hook = m.metadata.annotations?.['helm.sh/hook'];
    // A hook is deleted and created again (before-hook-creation), never patched.
    if (hook || !rules[m.kind]) continue;
    const old = previous.find((p) => p.kind === m.kind && p.metadata.name === m.metadata.name && !p.metadata.annotations?.['helm.sh/hook']);
    if (!old) continue;
    for (const r of rules[m.kind]!) {
      if (!isDeepStrictEqual(at(old, r.path), at(m, r.path)))
        problems.push(`${describe(m)}: ${r.what} changes on upgrade, and it is immutable`);
    }
  }
  return problems;
}
