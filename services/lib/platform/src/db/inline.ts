/**
 * Writes a statement's parameters into its text as SQL literals, so that statements whose results
 * nobody reads can travel in one simple-query message with the COMMIT (one round trip, not one
 * each). Values are rendered as node-postgres would send them, always as quoted literals: strings,
 * numbers, booleans and dates as text, arrays as array literals, other objects as JSON.
 */
export function inlineParams(text: string, values: readonly unknown[], quote: (s: string) => string): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => {
    const i = Number(n) - 1;
    if (i < 0 || i >= values.length) throw new RangeError(`statement refers to $${n} but has ${values.length} parameters`);
    return literal(values[i], quote);
  });
}

function literal(v: unknown, quote: (s: string) => string): string {
  if (v === null || v === undefined) return 'NULL';
  // Numbers and booleans are quoted too, as untyped literals: PostgreSQL then parses them for the
  // column's type exactly as it would a parameter (10.5 into an integer is refused, not rounded),
  // and a negative number after an operator can never turn `- -5` into a `--` comment.
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new RangeError(`cannot inline ${v}`);
    return quote(String(v));
  }
  if (typeof v === 'bigint' || typeof v === 'boolean') return quote(String(v));
  if (typeof v === 'string') return quote(v);
  if (v instanceof Date) return quote(v.toISOString());
  if (Array.isArray(v)) return quote(arrayLiteral(v));
  return quote(JSON.stringify(v));
}

/** PostgreSQL's array input syntax: {"a","b",NULL}, nested for nested arrays. */
function arrayLiteral(items: readonly unknown[]): string {
  const element = (v: unknown): string => {
    if (v === null || v === undefined) return 'NULL';
    if (Array.isArray(v)) return arrayLiteral(v);
    const s = v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  };
  return `{${items.map(element).join(',')}}`;
}
