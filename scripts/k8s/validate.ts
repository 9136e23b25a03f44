import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { evaluate } from '@marcbachmann/cel-js';
import { Ajv, type ErrorObject, type SchemaObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { RE2 } from 're2-wasm';
import YAML from 'yaml';
import { groupOf, type Manifest, versionOf } from './manifest.js';

/**
 * Every rendered object against its schema, rejecting unknown fields as the API server does with
 * strict field validation: built-in kinds with kubernetes-models, custom resources with ajv and
 * the upstream CRD's openAPIV3Schema as it is.
 */
const require = createRequire(import.meta.url);
type CoreModel = new (data: unknown) => { validate(): void };

/** The kubernetes-models class of a built-in kind; undefined for a custom resource. */
function coreModel({ apiVersion, kind }: Pick<Manifest, 'apiVersion' | 'kind'>): CoreModel | undefined {
  const group = groupOf(apiVersion);
  try {
    const module = require(`kubernetes-models/${group ? `${group}/` : ''}${versionOf(apiVersion)}/${kind}`);
    return (module as Record<string, CoreModel>)[kind];
  } catch {
    return undefined;
  }
}

export const isCoreKind = (m: Pick<Manifest, 'apiVersion' | 'kind'>) => coreModel(m) !== undefined;

/** Problems with a built-in object; [] when the API server would accept it with strict field validation. */
export function validateCore(m: Manifest): string[] {
  const Model = coreModel(m);
  if (!Model) return [`${m.apiVersion} ${m.kind} is not a built-in kind`];
  const problems: string[] = [];
  try {
    new Model(m).validate();
  } catch (err) {
    problems.push(...String((err as Error).message).split(/,\s*(?=data)/));
  }
  return [...problems, ...unknownFields(m, true)];
}

/**
 * kubernetes-models' schemas let unknown fields through. @kubernetes/client-node's serializer,
 * generated from the same OpenAPI document, keeps only the fields of each type (of a custom
 * resource: metadata as ObjectMeta, the rest as it is): what a round trip through it loses is a
 * field the API server would prune.
 */
function unknownFields(m: Manifest, builtIn = false): string[] {
  const typed = k8s.loadYaml<object>(JSON.stringify(m));
  // A built-in kind without a client-node model would come back whole: say so rather than pass it.
  if (builtIn && (k8s as Record<string, unknown>)[typed.constructor.name] !== typed.constructor)
    return [`${m.apiVersion} ${m.kind}: @kubernetes/client-node has no model to find unknown fields with`];
  return lost(m, YAML.parse(k8s.dumpYaml(typed)), '$');
}

/** Paths of `before` that are gone from `after`, reported as unknown fields. */
function lost(before: unknown, after: unknown, path: string): string[] {
  if (before === null || typeof before !== 'object') return [];
  return Object.entries(before).flatMap(([k, v]) => {
    const p = Array.isArray(before) ? `${path}[${k}]` : `${path}.${k}`;
    const kept = after !== null && typeof after === 'object' && k in after;
    return kept ? lost(v, (after as Record<string, unknown>)[k], p) : [`${p}: unknown field`];
  });
}

interface Rule {
  rule: string;
  message?: string;
  messageExpression?: string;
}

/** CEL has int and double; JSON numbers that the schema says are integers become CEL ints. */
function toCel(value: unknown, schema: SchemaObject | undefined): unknown {
  if (typeof value === 'number' && Number.isInteger(value) && schema?.type !== 'number') return BigInt(value);
  if (Array.isArray(value)) return value.map((v) => toCel(v, schema?.items));
  if (value && typeof value === 'object') {
    const extra = typeof schema?.additionalProperties === 'object' ? schema.additionalProperties : undefined;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCel(v, schema?.properties?.[k] ?? extra)]));
  }
  return value;
}

/**
 * No JavaScript library evaluates x-kubernetes-validations: cel-js evaluates each rule, and ajv
 * calls this at every node of the object that has rules, with `self` bound to that node. Rules
 * reading oldSelf are transition rules, skipped as the API server does on create.
 */
function celRules(rules: Rule[], data: unknown, node?: SchemaObject): boolean {
  const errors: { message: string }[] = [];
  for (const r of rules) {
    if (/\boldSelf\b/.test(r.rule)) continue;
    try {
      if (evaluate(r.rule, { self: toCel(data, node) }) !== true) errors.push({ message: r.message ?? r.messageExpression ?? r.rule });
    } catch (err) {
      errors.push({ message: `CEL rule ${JSON.stringify(r.rule)} could not be evaluated: ${(err as Error).message}` });
    }
  }
  celRules.errors = errors;
  return errors.length === 0;
}
celRules.errors = [] as { message: string }[];

function transitions(node: SchemaObject, old: unknown, next: unknown, path: string): string[] {
  if (old === undefined || next === undefined || old === null || next === null) return [];
  const problems: string[] = [];
  for (const r of (node['x-kubernetes-validations'] ?? []) as Rule[]) {
    if (!/\boldSelf\b/.test(r.rule)) continue;
    try {
      if (evaluate(r.rule, { self: toCel(next, node), oldSelf: toCel(old, node) }) !== true)
        problems.push(`${path}: ${r.message ?? r.rule}`);
    } catch (err) {
      problems.push(`${path}: CEL rule ${JSON.stringify(r.rule)} could not be evaluated: ${(err as Error).message}`);
    }
  }
  if (node.properties && typeof old === 'object' && typeof next === 'object')
    for (const [k, child] of Object.entries(node.properties as Record<string, SchemaObject>))
      problems.push(...transitions(child, (old as Record<string, unknown>)[k], (next as Record<string, unknown>)[k], `${path}.${k}`));
  return problems;
}

const describeError = (e: ErrorObject) =>
  e.keyword === 'additionalProperties'
    ? `$${e.instancePath.replaceAll('/', '.')}.${e.params.additionalProperty}: unknown field`
    : `$${e.instancePath.replaceAll('/', '.')}: ${e.message}`;

function crdAjv(): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    // x-kubernetes-list-type, -map-type, -list-map-keys and OpenAPI's `example` only describe.
    strict: false,
    // CRD patterns are Go regular expressions, i.e. RE2 syntax (inline flags such as (?i)).
    code: { regExp: Object.assign((source: string, flags: string) => new RE2(source, flags), { code: 'RE2' }) },
  });
  addFormats.default(ajv);
  // Kubernetes' numeric and opaque formats: the type already says what matters.
  for (const f of ['int32', 'int64', 'float', 'double', 'byte', 'int-or-string', 'password', 'duration']) ajv.addFormat(f, true);
  ajv.addKeyword({
    keyword: 'x-kubernetes-int-or-string',
    schemaType: 'boolean',
    validate: (on: boolean, data: unknown) => !on || Number.isInteger(data) || typeof data === 'string',
    error: { message: 'must be an integer or a string' },
  });
  ajv.addKeyword({ keyword: 'x-kubernetes-validations', schemaType: 'array', errors: true, validate: celRules });
  return ajv;
}

/**
 * The API server prunes (with strict field validation: rejects) a field that a structural schema
 * does not declare, unless x-kubernetes-preserve-unknown-fields; JSON schema lets it through
 * unless additionalProperties is false. The one change made to the CRD's schema.
 */
function closed(node: SchemaObject): SchemaObject {
  const out = { ...node };
  if (out.properties) {
    out.properties = Object.fromEntries(Object.entries(out.properties).map(([k, v]) => [k, closed(v as SchemaObject)]));
    if (out.additionalProperties === undefined && out['x-kubernetes-preserve-unknown-fields'] !== true) out.additionalProperties = false;
  }
  if (typeof out.items === 'object') out.items = closed(out.items);
  if (typeof out.additionalProperties === 'object') out.additionalProperties = closed(out.additionalProperties);
  return out;
}

interface Crd {
  spec: {
    group: string;
    names: { kind: string };
    versions: { name: string; served: boolean; schema: { openAPIV3Schema: SchemaObject } }[];
  };
}

/** The custom resources whose CRDs are in a folder, keyed "group/version Kind"; each compiled on first use. */
export class CrdValidator {
  private readonly ajv = crdAjv();
  private readonly compiled = new Map<string, ValidateFunction>();

  private constructor(private readonly schemas: Map<string, SchemaObject>) {}

  static async load(crdDir: string): Promise<CrdValidator> {
    const schemas = new Map<string, SchemaObject>();
    for (const file of await readdir(crdDir, { recursive: true })) {
      if (!/\.ya?ml$/.test(file)) continue;
      const crd = YAML.parse(await readFile(join(crdDir, file), 'utf8')) as Crd;
      for (const v of crd.spec.versions.filter((x) => x.served)) {
        schemas.set(`${crd.spec.group}/${v.name} ${crd.spec.names.kind}`, v.schema.openAPIV3Schema);
      }
    }
    return new CrdValidator(schemas);
  }

  get size(): number {
    return this.schemas.size;
  }

  knows(m: Pick<Manifest, 'apiVersion' | 'kind'>): boolean {
    return this.schemas.has(`${m.apiVersion} ${m.kind}`);
  }

  /**
   * The CRD's transition rules (x-kubernetes-validations reading oldSelf, e.g. CloudNativePG's
   * "name is immutable"), which the API server evaluates on an update wherever the old object has
   * the same node: what `helm upgrade` from `old` to `next` would be refused for.
   */
  transitionProblems(old: Manifest, next: Manifest): string[] {
    const schema = this.schemas.get(`${next.apiVersion} ${next.kind}`);
    return schema ? transitions(schema, old, next, '$') : [];
  }

  /** Problems with a custom resource: its CRD's schema (unknown fields rejected), its CEL rules, its metadata as ObjectMeta. */
  validate(m: Manifest): string[] {
    const key = `${m.apiVersion} ${m.kind}`;
    const schema = this.schemas.get(key);
    if (!schema) return [`${key}: no CRD in the schemas folder knows this kind`];
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(closed(schema));
      this.compiled.set(key, validate);
    }
    const problems = validate(m) ? [] : (validate.errors ?? []).map(describeError);
    return [...problems, ...unknownFields(m)];
  }
}
