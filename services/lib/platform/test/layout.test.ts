import { readdirSync, readFileSync } from 'node:fs';
import test from 'ava';

/** The homes along a message's path import one way (src/README.md): a step never reaches back. */
const src = new URL('../src/', import.meta.url);
const forbidden: Record<string, string[]> = {
  transaction: ['inbound', 'outbound', 'throughput'],
  outbound: ['inbound'],
  db: ['inbound', 'transaction', 'outbound'],
  bus: ['inbound', 'transaction', 'outbound'],
};

function importsOf(folder: string): { file: string; target: string }[] {
  return readdirSync(new URL(`${folder}/`, src))
    .filter((f) => f.endsWith('.ts'))
    .flatMap((file) =>
      [...readFileSync(new URL(`${folder}/${file}`, src), 'utf8').matchAll(/from '\.\.\/([a-z-]+)\//g)].map((m) => ({
        file: `${folder}/${file}`,
        target: m[1]!,
      })),
    );
}

test('when the runtime is read along the message path, then no step imports a later or earlier one it must not know', (t) => {
  const wrong = Object.entries(forbidden).flatMap(([folder, not]) =>
    importsOf(folder)
      .filter((i) => not.includes(i.target))
      .map((i) => `${i.file} imports ${i.target}/`),
  );
  t.deepEqual(wrong, []);
  // The test reads real imports: the folders it checks exist and import something.
  t.true(importsOf('inbound').some((i) => i.target === 'transaction'));
});
