/**
 * AMQP header values as JSON a `jsonb` column takes and a page can show: amqplib decodes byte
 * arrays as Buffers, timestamps and decimals as `{ '!': kind, value }`, void as null, and strings
 * may hold what `jsonb` and `text` refuse (a NUL, a lone surrogate). Headers come from whoever
 * published the message, so nothing here may throw, and the result is bounded.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: replacing them is the point
const unsafe = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text a `text` column and a page take: control characters (but line breaks and tabs) and lone surrogates become U+FFFD, cut to max. */
export function safeText(s: string, max: number): string {
  return s.slice(0, max).replace(unsafe, '\uFFFD');
}

const maxDepth = 6;
const maxEntries = 64;
const maxString = 4_096;

export function jsonSafe(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return safeText(value, maxString);
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value)) return { bytes: value.subarray(0, maxString).toString('base64') };
  if (depth >= maxDepth) return '…';
  if (Array.isArray(value)) return value.slice(0, maxEntries).map((v) => jsonSafe(v, depth + 1));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value).slice(0, maxEntries)) out[safeText(k, 255)] = jsonSafe(v, depth + 1);
    return out;
  }
  return String(value);
}

/** The same value with its object keys sorted at every level: one text per value, for hashing. */
export function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === 'object')
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    return v;
  };
  return JSON.stringify(sort(value));
}
