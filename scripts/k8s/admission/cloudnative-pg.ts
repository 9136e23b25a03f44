import { secretValue } from '../contracts/env.js';
import { describe, type Manifest } from '../manifest.js';
import { bytes } from './quantity.js';

/**
 * CloudNativePG at the operator the pinned chart 0.26.0 ships (v1.27.0): its webhooks
 * (internal/webhook/v1/cluster_webhook.go, database_webhook.go) and the managed-role reconciler
 * (internal/management/controller/roles/runnable.go), which the CRDs do not show.
 */
interface Role {
  name: string;
  connectionLimit?: number;
  disablePassword?: boolean;
  passwordSecret?: { name: string };
}
interface ClusterSpec {
  imageName?: string;
  storage?: { size?: string };
  bootstrap?: { initdb?: { database?: string; owner?: string } };
  managed?: { roles?: Role[] };
}
interface DatabaseSpec {
  name: string;
  owner: string;
  cluster: { name: string };
  schemas?: { name: string; owner?: string }[];
}

const ofKind = (ms: Manifest[], kind: string) => ms.filter((m) => m.kind === kind && m.apiVersion.startsWith('postgresql.cnpg.io/'));
const cluster = (m: Manifest) => (m.spec ?? {}) as ClusterSpec;

/** pkg/postgres/roles.go IsRoleReserved: the operator's roles, its cnpg_ prefix and PostgreSQL's pg_ prefix. */
export const reservedRole = (name: string) => ['postgres', 'streaming_replica'].includes(name) || /^(cnpg_|pg_)/.test(name);

/** The PostgreSQL major of an image tag ("17.12-standard-trixie" → 17); undefined when the webhook could not read one. */
export function majorOf(imageName: string): number | undefined {
  const tag = /:([^:/@]+)(@.*)?$/.exec(imageName)?.[1];
  const m = tag === undefined || tag === 'latest' ? null : /^(\d+)(\.\d+)?/.exec(tag);
  return m ? Number(m[1]) : undefined;
}

export function cnpgCreateProblems(manifests: Manifest[]): string[] {
  const problems: string[] = [];
  const clusters = ofKind(manifests, 'Cluster');
  for (const m of clusters) {
    const spec = cluster(m);
    // cluster_webhook.go validateImageName: a version tag, not latest, not a bare digest.
    if (spec.imageName && majorOf(spec.imageName) === undefined)
      problems.push(`${describe(m)}: imageName ${spec.imageName} has no PostgreSQL version tag (validateImageName)`);
    const roles = spec.managed?.roles ?? [];
    for (const [i, r] of roles.entries()) {
      // cluster_webhook.go validateManagedRoles.
      if (roles.findIndex((x) => x.name === r.name) !== i) problems.push(`${describe(m)}: managed role ${r.name} is a duplicate`);
      if (reservedRole(r.name)) problems.push(`${describe(m)}: managed role ${r.name} is reserved for the operator or PostgreSQL`);
      if (r.connectionLimit !== undefined && r.connectionLimit < -1)
        problems.push(`${describe(m)}: role ${r.name} connectionLimit must be ≥ -1`);
      if (r.disablePassword && r.passwordSecret) problems.push(`${describe(m)}: role ${r.name} both sets and disables a password`);
      // runnable.go getPassword: the Secret's username must be the role's name, or the role gets no password.
      if (r.passwordSecret) {
        const username = secretValue(manifests, r.passwordSecret.name, 'username');
        const password = secretValue(manifests, r.passwordSecret.name, 'password');
        if (username === undefined || password === undefined)
          problems.push(`${describe(m)}: role ${r.name}: Secret ${r.passwordSecret.name} with username and password is not rendered`);
        else if (username.trim() !== r.name)
          problems.push(`${describe(m)}: role ${r.name}: Secret ${r.passwordSecret.name} has username ${username} ("wrong username")`);
      }
    }
  }
  for (const d of ofKind(manifests, 'Database')) {
    const spec = d.spec as DatabaseSpec;
    const target = clusters.find((c) => c.metadata.name === spec.cluster.name);
    if (!target) {
      problems.push(`${describe(d)}: cluster ${spec.cluster.name} is not rendered`);
      continue;
    }
    const schemas = spec.schemas ?? [];
    // database_webhook.go validateSchemas: no duplicate schema names.
    for (const [i, s] of schemas.entries())
      if (schemas.findIndex((x) => x.name === s.name) !== i) problems.push(`${describe(d)}: schema ${s.name} is a duplicate`);
    // The database controller runs CREATE SCHEMA … AUTHORIZATION <owner>: the owner must be a role the cluster has.
    const known = new Set([
      ...(cluster(target).managed?.roles ?? []).map((r) => r.name),
      cluster(target).bootstrap?.initdb?.owner ?? 'app',
    ]);
    for (const owner of [spec.owner, ...schemas.map((s) => s.owner).filter((o): o is string => Boolean(o))])
      if (!known.has(owner)) problems.push(`${describe(d)}: owner ${owner} is not a role of Cluster/${target.metadata.name}`);
  }
  return problems;
}

/** cluster_webhook.go validateClusterChanges: no major downgrade (validateImageChange), no shrinking storage (validateStorageChange). */
export function cnpgUpdateProblems(previous: Manifest[], next: Manifest[]): string[] {
  const problems: string[] = [];
  for (const m of ofKind(next, 'Cluster')) {
    const old = ofKind(previous, 'Cluster').find((p) => p.metadata.name === m.metadata.name);
    if (!old) continue;
    const [a, b] = [cluster(old), cluster(m)];
    const [ma, mb] = [majorOf(a.imageName ?? ''), majorOf(b.imageName ?? '')];
    if (ma !== undefined && mb !== undefined && mb < ma) problems.push(`${describe(m)}: can't downgrade from major ${ma} to ${mb}`);
    if (ma !== undefined && mb !== undefined && ma < mb && mb < 16)
      problems.push(`${describe(m)}: major upgrades are only supported to version 16 or higher`);
    if (a.storage?.size && b.storage?.size && bytes(b.storage.size) < bytes(a.storage.size))
      problems.push(`${describe(m)}: can't shrink existing storage from ${a.storage.size} to ${b.storage.size}`);
  }
  for (const d of ofKind(next, 'Database')) {
    const old = ofKind(previous, 'Database').find((p) => p.metadata.name === d.metadata.name);
    // postgresql.cnpg.io_databases.yaml: spec.name is immutable (x-kubernetes-validations self == oldSelf).
    if (old && (old.spec as DatabaseSpec).name !== (d.spec as DatabaseSpec).name) problems.push(`${describe(d)}: name is immutable`);
  }
  return problems;
}
