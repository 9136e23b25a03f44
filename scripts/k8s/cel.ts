import { evaluate } from '@marcbachmann/cel-js';
import type { JsonSchema } from './crd-schema.js';

/**
 * The CRD's x-kubernetes-validations rules (CEL), evaluated where the API server would: at each
 * node of the object that has rules, with `self` bound to that node. Transition rules (those
 * reading oldSelf) need a previous object and are skipped, as they are on create.
 */
interface Rule {
  rule: string;
  message?: string;
  messageExpression?: string;
}

/** CEL has int and double; JSON numbers that the schema says are integers become CEL ints. */
export function toCel(value: unknown, schema: JsonSchema | undefined): unknown {
  if (typeof value === 'number' && Number.isInteger(value) && schema?.type !== 'number') return BigInt(value);
  if (Array.isArray(value)) return value.map((v) => toCel(v, schema?.items as JsonSchema | undefined));
  if (value && typeof value === 'object') {
    const props = (schema?.properties ?? {}) as Record<string, JsonSchema>;
    const extra = typeof schema?.additionalProperties === 'object' ? (schema.additionalProperties as JsonSchema) : undefined;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCel(v, props[k] ?? extra)]));
  }
  return value;
}

export function celViolations(schema: JsonSchema, value: unknown, path = '$'): string[] {
  if (value === undefined || value === null) return [];
  const out: string[] = [];
  const rules = (schema['x-kubernetes-validations'] ?? []) as Rule[];
  for (const r of rules) {
    if (/\boldSelf\b/.test(r.rule)) continue;
    let ok: unknown;
    try {
      ok = evaluate(r.rule, { self: toCel(value, schema) });
    } catch (err) {
      out.push(`${path}: CEL rule ${JSON.stringify(r.rule)} could not be evaluated: ${(err as Error).message}`);
      continue;
    }
    if (ok !== true) out.push(`${path}: ${r.message ?? r.messageExpression ?? `failed CEL rule ${r.rule}`}`);
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((v, i) => {
      out.push(...celViolations(schema.items as JsonSchema, v, `${path}[${i}]`));
    });
  } else if (typeof value === 'object' && !Array.isArray(value)) {
    const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
    const extra = typeof schema.additionalProperties === 'object' ? (schema.additionalProperties as JsonSchema) : undefined;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const child = props[k] ?? extra;
      if (child) out.push(...celViolations(child, v, `${path}.${k}`));
    }
  }
  return out;
}
