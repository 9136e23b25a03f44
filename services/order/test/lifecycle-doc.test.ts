import { readFile } from 'node:fs/promises';
import test from 'ava';
import { lifecycle, outcomes } from '../src/domain/lifecycle.js';

/** The lifecycle table as docs/architecture.md renders it: the page may not drift from the code. */
function rendered(): string {
  const code = (xs: readonly string[] | undefined) => (xs && xs.length > 0 ? xs.map((x) => `\`${x}\``).join(', ') : '—');
  const rows = outcomes.map((o) => {
    const t = lifecycle[o];
    const on = t.on.includes('.') ? `\`${t.on}\`` : t.on;
    const emits = t.emits ? `\`${t.emits}\`${t.reason ? ` (\`${t.reason}\`)` : ''}` : '—';
    return `| \`${o}\` | ${on} | ${code(t.from)} | ${code(t.early)} | \`${t.to}\` | ${emits} | ${t.compensates ? 'undone' : '—'} |`;
  });
  return ['| Outcome | On | Applies in | Waits in | To | Emits (reason) | Saga |', '|---|---|---|---|---|---|---|', ...rows].join('\n');
}

test('when the lifecycle table changes, then docs/architecture.md shows it as it is', async (t) => {
  const page = await readFile(new URL('../../../docs/architecture.md', import.meta.url), 'utf8');
  t.true(page.includes(rendered()), `docs/architecture.md should hold, under "The order's lifecycle":\n\n${rendered()}\n`);
});
