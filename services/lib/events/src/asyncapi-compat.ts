type Schema = { type?: unknown; properties?: Record<string, Schema>; required?: string[]; items?: Schema };
type Doc = { components?: { messages?: Record<string, { name?: string; payload?: Schema }> } };

const typeOf = (s: Schema) => JSON.stringify(s.type ?? null);

/** What in `after` breaks a consumer written against `before`: the path and the break. */
function compare(before: Schema, after: Schema, path: string, out: string[]): void {
  if (before.type !== undefined && typeOf(before) !== typeOf(after)) {
    out.push(`${path} changed type from ${String(before.type)} to ${String(after.type ?? 'any')}`);
    return;
  }
  for (const [name, field] of Object.entries(before.properties ?? {})) {
    const now = after.properties?.[name];
    if (!now) out.push(`${path}.${name} was removed`);
    else compare(field, now, `${path}.${name}`, out);
  }
  const required = new Set(before.required ?? []);
  for (const name of after.required ?? []) if (!required.has(name)) out.push(`${path}.${name} is newly required`);
  if (before.items && after.items) compare(before.items, after.items, `${path}[]`, out);
}

/**
 * The changes from one AsyncAPI document to the next that would break a consumer, the way a schema
 * registry guards its topics: a message or field removed, a field's type changed, a field newly
 * required. New messages and new optional fields pass.
 */
export function breakingChanges(before: Doc, after: Doc): string[] {
  const out: string[] = [];
  for (const [key, message] of Object.entries(before.components?.messages ?? {})) {
    const name = message.name ?? key;
    const now = after.components?.messages?.[key];
    if (!now) {
      out.push(`${name} was removed`);
      continue;
    }
    const [was, is] = [message.payload?.properties?.data, now.payload?.properties?.data];
    if (was && is) compare(was, is, `${name}: data`, out);
  }
  return out;
}
