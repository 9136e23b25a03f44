import { isCoreKind, unknownFields, validateCore } from './core-validator.js';
import type { CrdValidator } from './crd-validator.js';
import { groupOf, type Manifest } from './manifest.js';

/**
 * Groups whose CRDs are not in the schemas folder. Their objects are checked only structurally
 * (apiVersion, kind, ObjectMeta, a spec object): the check says so every time it runs.
 */
export const structurallyCheckedGroups: Record<string, string> = {
  'postgresql.cnpg.io': 'CloudNativePG (no CRD in the schemas folder)',
};

export type Verdict =
  | { kind: 'core'; problems: string[] }
  | { kind: 'crd'; problems: string[] }
  | { kind: 'structural'; problems: string[]; why: string }
  | { kind: 'unrecognised'; problems: string[] };

export function validateObject(m: Manifest, crds: CrdValidator | undefined): Verdict {
  if (isCoreKind(m)) return { kind: 'core', problems: validateCore(m) };
  if (crds?.knows(m)) return { kind: 'crd', problems: crds.validate(m) };
  const group = groupOf(m.apiVersion);
  const why = structurallyCheckedGroups[group] ?? (crds ? undefined : 'schemas folder absent');
  if (why !== undefined && !crds?.knowsGroup(m.apiVersion)) {
    return { kind: 'structural', why, problems: structuralProblems(m) };
  }
  return { kind: 'unrecognised', problems: [`${m.apiVersion} ${m.kind}: no schema knows this kind`] };
}

function structuralProblems(m: Manifest): string[] {
  const problems = unknownFields(m.metadata, 'V1ObjectMeta', '$.metadata');
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(m.metadata?.name ?? '') || m.metadata.name.length > 253) {
    problems.push(`$.metadata.name: ${JSON.stringify(m.metadata?.name)} is not a DNS subdomain`);
  }
  if (m.spec !== undefined && (typeof m.spec !== 'object' || m.spec === null || Array.isArray(m.spec)))
    problems.push('$.spec: must be an object');
  return problems;
}
