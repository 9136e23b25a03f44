/**
 * Writes the AsyncAPI documents of both saga modes and their pages into docs/api/, where the
 * README links them. With --accept, also makes the orchestration document (every message) the
 * baseline the compatibility check compares against: do that only for a change that breaks no
 * consumer, or one announced to them.
 */
import { writeFileSync } from 'node:fs';
import { asyncApiDocument, asyncApiHtml, breakingChanges, sagaModes } from '@orderly/events';

const root = new URL('../../', import.meta.url);
const write = (path: string, text: string) => writeFileSync(new URL(path, root), text);
for (const mode of sagaModes) {
  const doc = asyncApiDocument(mode);
  write(`docs/api/asyncapi.${mode}.json`, `${JSON.stringify(doc, null, 2)}\n`);
  write(
    `docs/api/asyncapi.${mode}.html`,
    asyncApiHtml(doc as Parameters<typeof asyncApiHtml>[0]).replace('href="asyncapi.json"', `href="asyncapi.${mode}.json"`),
  );
}
if (process.argv.includes('--accept')) {
  const baselineUrl = new URL('services/lib/events/asyncapi.baseline.json', root);
  const { readFileSync } = await import('node:fs');
  const breaks = breakingChanges(JSON.parse(readFileSync(baselineUrl, 'utf8')), asyncApiDocument('orchestration'));
  for (const b of breaks) console.warn(`breaking, accepted: ${b}`);
  write('services/lib/events/asyncapi.baseline.json', `${JSON.stringify(asyncApiDocument('orchestration'), null, 2)}\n`);
}
console.log('docs/api/asyncapi.{choreography,orchestration}.{json,html} written');
