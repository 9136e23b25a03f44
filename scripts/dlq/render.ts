/** What `npm run dlq` prints: tables for people, one line a row, nothing truncated that a script needs. */
import Table from 'cli-table3';

export interface DeadLetterRow {
  id: string;
  queue: string;
  type: string | null;
  orderId: string | null;
  error: string;
  attempts: number | null;
  failedAt: string;
  status: string;
  redrives: number;
}

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function table(head: string[], rows: string[][]): string {
  const t = new Table({ head, style: { head: [], border: [], compact: true } });
  t.push(...rows);
  return t.toString();
}

export function listTable(items: DeadLetterRow[]): string {
  if (items.length === 0) return 'no dead letters match';
  return table(
    ['id', 'queue', 'type', 'order', 'failed at', 'status', 'attempts', 'redrives', 'error'],
    items.map((d) => [
      d.id,
      d.queue,
      d.type ?? '',
      d.orderId ?? '',
      d.failedAt,
      d.status,
      String(d.attempts ?? ''),
      String(d.redrives),
      cut(d.error.replace(/\s+/g, ' '), 60),
    ]),
  );
}

export function detailText(d: Record<string, unknown>): string {
  const { headers, body, bodyEncoding, ...fields } = d;
  const rows = Object.entries(fields).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]);
  return [
    table(['field', 'value'], rows),
    'headers:',
    JSON.stringify(headers, null, 2),
    `body (${String(bodyEncoding)}):`,
    String(body),
  ].join('\n');
}

export function dryRunText(answer: {
  outcome?: string;
  emitted?: { type: string; subject: string }[];
  error?: string;
  skipped?: string[];
}): string {
  const lines = [`outcome: ${answer.outcome ?? 'unknown'}`];
  if (answer.error) lines.push(`error: ${answer.error}`);
  for (const e of answer.emitted ?? []) lines.push(`would emit: ${e.type} (${e.subject})`);
  if (answer.skipped?.length) lines.push(`skipped in a dry run: ${answer.skipped.join(', ')}`);
  return lines.join('\n');
}
