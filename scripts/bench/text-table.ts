/** Plain-text tables and number formats for the printed report. */
import Table from 'cli-table3';

export const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '–');
export const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');
export const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '–');

/** A table with the first column left-aligned and the numbers right-aligned. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const t = new Table({
    head: headers,
    colAligns: headers.map((_, i) => (i === 0 ? 'left' : 'right')),
    style: { head: [], border: [], compact: true }, // plain text: it also goes into files
  });
  t.push(...rows.map((r) => r.map(String)));
  return t.toString();
}
