/**
 * Statement text fit for a span: every literal replaced by `?`. Parameterised statements carry no
 * data in their text, but the ones sent in one simple-query message with the COMMIT (the outbox
 * insert, queued writes, the inbox claim) have their values inlined — whole envelopes with
 * customers' emails — and a trace backend is no place for personal data.
 */
export function statementForSpan(text: string): string {
  return (
    text
      // 'quoted' and E'escaped' strings (a doubled quote stays inside; a backslash escapes in E'')
      .replace(/\b[Ee]'(?:[^'\\]|\\.|'')*'/g, '?')
      .replace(/'(?:[^']|'')*'/g, '?')
      // dollar-quoted bodies: $$…$$, $tag$…$tag$
      .replace(/\$([A-Za-z_][A-Za-z0-9_]*)?\$[\s\S]*?\$\1\$/g, '?')
      .slice(0, 4096)
  );
}
