import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import YAML from 'yaml';

/** skaffold.yaml against skaffold's own JSON schema for its apiVersion (v4beta14). */
export async function validateSkaffold(skaffoldFile: string, schemasDir: string): Promise<string[]> {
  const schema = JSON.parse(await readFile(join(schemasDir, 'skaffold', 'v4beta14.json'), 'utf8'));
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats.default(ajv);
  const validate = ajv.compile(schema);
  const docs = YAML.parseAllDocuments(await readFile(skaffoldFile, 'utf8')).map((d) => d.toJS());
  const problems: string[] = [];
  docs.forEach((doc, i) => {
    if (doc?.apiVersion !== 'skaffold/v4beta14') problems.push(`document ${i}: apiVersion must be skaffold/v4beta14`);
    if (!validate(doc)) {
      // skaffold's schema nests everything in anyOf branches: report the deepest, most useful errors.
      const errors = validate.errors ?? [];
      const deepest = Math.max(...errors.map((e) => e.instancePath.length));
      for (const e of errors.filter((x) => x.instancePath.length === deepest)) {
        const extra = e.keyword === 'additionalProperties' ? ` (${(e.params as { additionalProperty: string }).additionalProperty})` : '';
        problems.push(`document ${i} ${e.instancePath || '/'}: ${e.message}${extra}`);
      }
    }
  });
  return [...new Set(problems)];
}

/**
 * kind's Cluster config (kind.x-k8s.io/v1alpha4). kind has no JSON schema: it decodes the Go
 * types strictly, so these are the json field names of sigs.k8s.io/kind/pkg/apis/config/v1alpha4
 * at kind v0.32.0 (as listed in the schemas folder's SOURCES.md).
 */
type Shape = { [field: string]: FieldSpec };
type FieldSpec =
  | 'string'
  | 'boolean'
  | 'integer'
  | 'stringMap'
  | 'strings'
  | 'any'
  | { enum: string[] }
  | { list: Shape }
  | { object: Shape };

const patch: Shape = { group: 'string', version: 'string', kind: 'string', patch: 'string' };
const node: Shape = {
  role: { enum: ['control-plane', 'worker'] },
  image: 'string',
  labels: 'stringMap',
  extraMounts: {
    list: {
      containerPath: 'string',
      hostPath: 'string',
      readOnly: 'boolean',
      selinuxRelabel: 'boolean',
      propagation: { enum: ['None', 'HostToContainer', 'Bidirectional'] },
    },
  },
  extraPortMappings: {
    list: { containerPort: 'integer', hostPort: 'integer', listenAddress: 'string', protocol: { enum: ['TCP', 'UDP', 'SCTP'] } },
  },
  kubeadmConfigPatches: 'strings',
  kubeadmConfigPatchesJSON6902: { list: patch },
};
export const kindClusterShape: Shape = {
  kind: { enum: ['Cluster'] },
  apiVersion: { enum: ['kind.x-k8s.io/v1alpha4'] },
  name: 'string',
  nodes: { list: node },
  networking: {
    object: {
      ipFamily: { enum: ['ipv4', 'ipv6', 'dual'] },
      apiServerPort: 'integer',
      apiServerAddress: 'string',
      podSubnet: 'string',
      serviceSubnet: 'string',
      disableDefaultCNI: 'boolean',
      kubeProxyMode: { enum: ['iptables', 'ipvs', 'nftables'] },
      dnsSearch: 'strings',
    },
  },
  featureGates: 'any',
  runtimeConfig: 'stringMap',
  kubeadmConfigPatches: 'strings',
  kubeadmConfigPatchesJSON6902: { list: patch },
  containerdConfigPatches: 'strings',
  containerdConfigPatchesJSON6902: 'strings',
};

export function validateShape(value: unknown, shape: Shape, path = '$'): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${path}: must be a mapping`];
  return Object.entries(value).flatMap(([k, v]) => {
    const spec = shape[k];
    return spec === undefined ? [`${path}.${k}: unknown field (kind decodes strictly)`] : checkField(v, spec, `${path}.${k}`);
  });
}

function checkField(v: unknown, spec: FieldSpec, path: string): string[] {
  if (spec === 'any') return [];
  if (spec === 'string') return typeof v === 'string' ? [] : [`${path}: must be a string`];
  if (spec === 'boolean') return typeof v === 'boolean' ? [] : [`${path}: must be a boolean`];
  if (spec === 'integer') return Number.isInteger(v) ? [] : [`${path}: must be an integer`];
  if (spec === 'strings') return Array.isArray(v) && v.every((s) => typeof s === 'string') ? [] : [`${path}: must be a list of strings`];
  if (spec === 'stringMap') {
    const ok = typeof v === 'object' && v !== null && Object.values(v).every((s) => typeof s === 'string');
    return ok ? [] : [`${path}: must be a map of strings`];
  }
  if ('enum' in spec) return spec.enum.includes(v as string) ? [] : [`${path}: must be one of ${spec.enum.join(', ')}`];
  if ('list' in spec) {
    return Array.isArray(v) ? v.flatMap((item, i) => validateShape(item, spec.list, `${path}[${i}]`)) : [`${path}: must be a list`];
  }
  return validateShape(v, spec.object, path);
}

export async function validateKindConfig(file: string): Promise<string[]> {
  const doc = YAML.parse(await readFile(file, 'utf8'));
  const problems = validateShape(doc, kindClusterShape);
  if (doc?.kind !== 'Cluster') problems.push('$.kind: must be Cluster');
  if (doc?.apiVersion !== 'kind.x-k8s.io/v1alpha4') problems.push('$.apiVersion: must be kind.x-k8s.io/v1alpha4');
  return problems;
}
