export const deadLetterStatuses = ['parked', 'redriving', 'redriven', 'discarded'] as const;
export type DeadLetterStatus = (typeof deadLetterStatuses)[number];

/** What a search, a redrive or a discard selects by; every field narrows. */
export interface DeadLetterFilter {
  queue?: string | undefined;
  type?: string | undefined;
  orderId?: string | undefined;
  /** Text in the error, as typed: % and _ are not wildcards. */
  q?: string | undefined;
  /** failed_at from (inclusive) and until (exclusive), ISO 8601. */
  since?: string | undefined;
  until?: string | undefined;
  status?: DeadLetterStatus | undefined;
}

/** ILIKE's wildcards and its escape character, taken literally. */
export const likeLiteral = (s: string) => s.replace(/[\\%_]/g, '\\$&');

/**
 * The SQL conditions of a filter, each value a parameter appended to `params` (never inlined).
 * An empty filter selects every row.
 */
export function whereOf(filter: DeadLetterFilter, params: unknown[]): string {
  const conditions: string[] = [];
  const param = (v: unknown) => `$${params.push(v)}`;
  if (filter.queue !== undefined) conditions.push(`queue = ${param(filter.queue)}`);
  if (filter.type !== undefined) conditions.push(`type = ${param(filter.type)}`);
  if (filter.orderId !== undefined) conditions.push(`order_id = ${param(filter.orderId)}`);
  if (filter.q !== undefined) conditions.push(`error ILIKE '%' || ${param(likeLiteral(filter.q))} || '%'`);
  if (filter.since !== undefined) conditions.push(`failed_at >= ${param(filter.since)}`);
  if (filter.until !== undefined) conditions.push(`failed_at < ${param(filter.until)}`);
  if (filter.status !== undefined) conditions.push(`status = ${param(filter.status)}`);
  return conditions.length > 0 ? conditions.join(' AND ') : 'true';
}
