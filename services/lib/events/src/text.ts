/**
 * Text that crosses a boundary (an HTTP request, a message) must be well-formed Unicode without
 * control characters: a lone surrogate is valid in a JS string and in a `json` column but not in
 * `jsonb` (so it fails later, on every attempt, somewhere else), and a NUL is refused by every
 * PostgreSQL text type. Line breaks and tabs are allowed in values (a notification's body), never
 * in keys.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const controlInValue = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const controlInKey = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// String.prototype.isWellFormed is ES2024: the same test as a regular expression.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const wellFormed = (s: string) => !loneSurrogate.test(s);

/** Why a string is refused, or undefined when it is fine. */
export function textProblem(s: string, { key = false } = {}): string | undefined {
  if (!wellFormed(s)) return 'contains a lone surrogate (not well-formed Unicode)';
  if ((key ? controlInKey : controlInValue).test(s)) return 'contains a control character';
  return undefined;
}

export interface TextIssue {
  path: string;
  reason: string;
}

/**
 * The first string (value or key) anywhere in a parsed JSON value that textProblem refuses, with
 * its path; undefined when there is none. Iterative, so a deeply nested input cannot overflow the
 * stack; `maxNodes` bounds the work on a huge one (reported as an issue, not walked).
 */
export function findTextIssue(value: unknown, root = '', maxNodes = 100_000): TextIssue | undefined {
  const stack: [unknown, string][] = [[value, root]];
  let nodes = 0;
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (++nodes > maxNodes) return { path: root || '(body)', reason: `has more than ${maxNodes} values` };
    if (typeof v === 'string') {
      const reason = textProblem(v);
      if (reason) return { path: path || '(body)', reason };
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push([v[i], `${path}[${i}]`]);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) {
        const reason = textProblem(k, { key: true });
        const at = path ? `${path}.${k}` : k;
        if (reason) return { path: wellFormed(at) ? at : `${path}.(key)`, reason: `key ${reason}` };
        stack.push([item, at]);
      }
    }
  }
  return undefined;
}
