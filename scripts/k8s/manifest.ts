/** A rendered Kubernetes object, as helm template writes it. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: unknown;
  [field: string]: unknown;
}

export function isManifest(doc: unknown): doc is Manifest {
  const d = doc as Partial<Manifest> | null;
  return typeof d === 'object' && d !== null && typeof d.apiVersion === 'string' && typeof d.kind === 'string';
}

export const describe = (m: Manifest) => `${m.kind}/${m.metadata?.name ?? '?'}`;

export function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '';
}

export function versionOf(apiVersion: string): string {
  return apiVersion.slice(apiVersion.lastIndexOf('/') + 1);
}
