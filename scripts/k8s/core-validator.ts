import { createRequire } from 'node:module';
import * as k8s from '@kubernetes/client-node';
import { groupOf, type Manifest, versionOf } from './manifest.js';

/**
 * Built-in kinds, validated twice: kubernetes-models checks types, required fields and enums, but
 * its schemas let unknown fields through; the API server would drop them silently (or reject them
 * with strict field validation), so every field is also looked up in @kubernetes/client-node's
 * field maps, generated from the same OpenAPI document.
 */
const require = createRequire(import.meta.url);

interface Attribute {
  baseName: string;
  type: string;
}
type ModelClass = { getAttributeTypeMap(): Attribute[] };
const models = k8s as unknown as Record<string, ModelClass | undefined>;

// Types with no fields of their own to check (their values are checked by kubernetes-models).
const leafTypes = new Set(['string', 'number', 'boolean', 'Date', 'IntOrString', 'any', 'object']);

export function unknownFields(value: unknown, type: string, path: string): string[] {
  if (value === null || value === undefined || leafTypes.has(type)) return [];
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return Array.isArray(value) ? value.flatMap((v, i) => unknownFields(v, array[1]!, `${path}[${i}]`)) : [];
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return Object.entries(value).flatMap(([k, v]) => unknownFields(v, map[1]!, `${path}.${k}`));
  const model = models[type];
  if (!model) return [`${path}: no field map for type ${type}`];
  if (typeof value !== 'object' || Array.isArray(value)) return [];
  const attributes = new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => {
    const t = attributes.get(k);
    return t === undefined ? [`${path}.${k}: unknown field`] : unknownFields(v, t, `${path}.${k}`);
  });
}

/** The client-node model of a kind: V1Deployment, V2HorizontalPodAutoscaler, V1beta1… */
export function modelName(apiVersion: string, kind: string): string {
  const v = versionOf(apiVersion);
  return `${v[0]!.toUpperCase()}${v.slice(1)}${kind}`;
}

type ModelCtor = new (data: unknown) => { validate(): void };

/** The kubernetes-models class, or undefined when the kind is not a built-in one. */
export function coreModel(apiVersion: string, kind: string): ModelCtor | undefined {
  const group = groupOf(apiVersion) || '';
  const dir = group === '' ? versionOf(apiVersion) : `${group}/${versionOf(apiVersion)}`;
  try {
    const mod = require(`kubernetes-models/${dir}/${kind}`) as Record<string, ModelCtor>;
    return mod[kind];
  } catch {
    return undefined;
  }
}

export function isCoreKind(m: Pick<Manifest, 'apiVersion' | 'kind'>): boolean {
  return coreModel(m.apiVersion, m.kind) !== undefined;
}

/** Every problem with a built-in object; [] when it would be accepted with strict field validation. */
export function validateCore(m: Manifest): string[] {
  const Model = coreModel(m.apiVersion, m.kind);
  if (!Model) return [`${m.apiVersion} ${m.kind} is not a built-in kind`];
  const problems: string[] = [];
  try {
    new Model(m).validate();
  } catch (err) {
    problems.push(...String((err as Error).message).split(/,\s*(?=data)/));
  }
  problems.push(...unknownFields(m, modelName(m.apiVersion, m.kind), '$'));
  return problems;
}
