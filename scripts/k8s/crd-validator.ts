import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import YAML from 'yaml';
import { celViolations } from './cel.js';
import { unknownFields } from './core-validator.js';
import { type JsonSchema, rootSchema } from './crd-schema.js';
import { groupOf, type Manifest, versionOf } from './manifest.js';

interface CrdVersion {
  name: string;
  served: boolean;
  schema: { openAPIV3Schema: JsonSchema };
}
interface Crd {
  spec: { group: string; names: { kind: string }; versions: CrdVersion[] };
}

interface Entry {
  validate: ValidateFunction;
  openAPIV3Schema: JsonSchema;
  source: string;
}

/** Validators for the custom resources whose CRDs are in the schemas folder, keyed "group/version Kind". */
export class CrdValidator {
  private constructor(private readonly entries: Map<string, Entry>) {}

  static async load(crdDir: string): Promise<CrdValidator> {
    const ajv = new Ajv({ allErrors: true, strict: false, code: { regExp: goRegExp } });
    addFormats.default(ajv);
    // Kubernetes' numeric and opaque formats: the type already says what matters.
    for (const f of ['int32', 'int64', 'float', 'double', 'byte', 'int-or-string', 'password', 'duration']) ajv.addFormat(f, true);
    const entries = new Map<string, Entry>();
    for (const file of await listYaml(crdDir)) {
      const crd = YAML.parse(await readFile(file, 'utf8')) as Crd;
      for (const v of crd.spec.versions) {
        if (!v.served) continue;
        const apiVersion = `${crd.spec.group}/${v.name}`;
        const schema = rootSchema(v.schema.openAPIV3Schema, apiVersion, crd.spec.names.kind);
        entries.set(`${apiVersion} ${crd.spec.names.kind}`, {
          validate: ajv.compile(schema),
          openAPIV3Schema: v.schema.openAPIV3Schema,
          source: file,
        });
      }
    }
    return new CrdValidator(entries);
  }

  get size(): number {
    return this.entries.size;
  }

  knows(m: Pick<Manifest, 'apiVersion' | 'kind'>): boolean {
    return this.entries.has(`${m.apiVersion} ${m.kind}`);
  }

  knowsGroup(apiVersion: string): boolean {
    const group = groupOf(apiVersion);
    return [...this.entries.keys()].some((k) => groupOf(k.split(' ')[0]!) === group);
  }

  /** Every problem with a custom resource: schema (unknown fields rejected), ObjectMeta and CEL rules. */
  validate(m: Manifest): string[] {
    const entry = this.entries.get(`${m.apiVersion} ${m.kind}`);
    if (!entry) return [`no CRD for ${m.apiVersion} ${m.kind} (version ${versionOf(m.apiVersion)} not served?)`];
    const problems: string[] = [];
    if (!entry.validate(m)) {
      for (const e of entry.validate.errors ?? []) {
        const extra = e.keyword === 'additionalProperties' ? ` (${(e.params as { additionalProperty: string }).additionalProperty})` : '';
        problems.push(`$${e.instancePath.replaceAll('/', '.')}: ${e.message}${extra}`);
      }
    }
    problems.push(...unknownFields(m.metadata, 'V1ObjectMeta', '$.metadata'));
    problems.push(...celViolations(entry.openAPIV3Schema, m));
    return problems;
  }
}

/**
 * CRD patterns are Go (RE2) regular expressions; the differences that occur in practice are
 * inline flags such as (?i), which JavaScript spells as RegExp flags (applied to the whole pattern).
 */
function goRegExp(source: string, flags: string): RegExp {
  let extra = '';
  const body = source.replace(/\(\?([imsU]+)\)/g, (_, f: string) => {
    extra += f.replace('U', '');
    return '';
  });
  const all = [...new Set(flags + extra)].join('');
  try {
    return new RegExp(body, all);
  } catch {
    return new RegExp(body, all.replace('u', ''));
  }
}
goRegExp.code = 'goRegExp';

async function listYaml(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listYaml(p)));
    else if (/\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out.sort();
}
