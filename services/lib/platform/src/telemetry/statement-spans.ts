import type { Span } from '@opentelemetry/api';

/**
 * A statement span (ORDERLY_TRACE_STATEMENTS=true) named by the database conventions:
 * `{db.query.summary}`, e.g. `SELECT products`, instead of the driver's `pg.query:<prepared
 * statement name>`, which says nothing to a reader. Statements are parameterised, so the text
 * (db.query.text, set by the instrumentation) carries no values.
 */
export function nameStatementSpan(span: Span, { query }: { query: { text: string } }): void {
  const summary = querySummary(query.text);
  span.updateName(summary);
  span.setAttribute('db.query.summary', summary);
  const [operation, collection] = summary.split(' ');
  if (operation) span.setAttribute('db.operation.name', operation);
  if (collection) span.setAttribute('db.collection.name', collection);
}

const keyword =
  /^\s*(?:WITH\b[\s\S]*?\)\s*)?(SELECT|INSERT|UPDATE|DELETE|BEGIN|COMMIT|ROLLBACK|CREATE|ALTER|DROP|SET|LOCK|TRUNCATE|COPY|VACUUM|LISTEN|NOTIFY)\b/i;
const target = /\b(?:FROM|INTO|UPDATE|TABLE|LOCK)\s+(?:ONLY\s+)?("?[A-Za-z_][\w$]*"?(?:\."?[A-Za-z_][\w$]*"?)?)/i;

/** `{operation} {table}` of a statement: the first keyword, and the first table it names. */
export function querySummary(text: string): string {
  const operation = keyword.exec(text)?.[1]?.toUpperCase();
  if (!operation) return 'postgresql';
  const table = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'LOCK', 'TRUNCATE'].includes(operation)
    ? target.exec(text.slice(text.search(new RegExp(`\\b${operation}\\b`, 'i'))))?.[1]?.replaceAll('"', '')
    : undefined;
  return table ? `${operation} ${table}` : operation;
}
