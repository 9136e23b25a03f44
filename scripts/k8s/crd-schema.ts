/**
 * Turns a CRD's structural OpenAPI v3 schema into a strict JSON schema for ajv, the way the API
 * server treats objects: a field the schema does not declare is pruned (or, with strict field
 * validation, rejected), unless the schema preserves unknown fields there. We reject it.
 */
export type JsonSchema = { [keyword: string]: unknown };

const dropped = new Set(['description', 'example', 'externalDocs']);

export function strictSchema(node: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (dropped.has(key) || key.startsWith('x-kubernetes-')) continue;
    out[key] = value;
  }
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (node['x-kubernetes-int-or-string'] === true) {
    delete out.type;
    if (!out.anyOf) out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (node['x-kubernetes-embedded-resource'] === true) {
    const props = (out.properties ?? {}) as Record<string, JsonSchema>;
    out.properties = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, ...props };
  }
  if (node.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  delete out.nullable;
  if (out.properties) {
    out.properties = Object.fromEntries(Object.entries(out.properties as Record<string, JsonSchema>).map(([k, v]) => [k, strictSchema(v)]));
  }
  if (out.items && typeof out.items === 'object') out.items = strictSchema(out.items as JsonSchema);
  if (out.additionalProperties && typeof out.additionalProperties === 'object') {
    out.additionalProperties = strictSchema(out.additionalProperties as JsonSchema);
  } else if (out.type === 'object' && out.additionalProperties === undefined && !preserve) {
    out.additionalProperties = false;
  }
  for (const k of ['anyOf', 'allOf', 'oneOf'] as const) {
    if (Array.isArray(out[k])) out[k] = (out[k] as JsonSchema[]).map(strictSchema);
  }
  if (out.not && typeof out.not === 'object') out.not = strictSchema(out.not as JsonSchema);
  return out;
}

/**
 * The root of a custom resource: apiVersion and kind fixed, metadata left to the ObjectMeta check
 * (the API server validates it as ObjectMeta whatever the CRD says).
 */
export function rootSchema(openAPIV3Schema: JsonSchema, apiVersion: string, kind: string): JsonSchema {
  const strict = strictSchema(openAPIV3Schema);
  const props = { ...(strict.properties as Record<string, JsonSchema>) };
  props.apiVersion = { const: apiVersion };
  props.kind = { const: kind };
  props.metadata = { type: 'object' };
  return {
    ...strict,
    properties: props,
    required: [...new Set([...((strict.required as string[]) ?? []), 'apiVersion', 'kind', 'metadata'])],
  };
}
