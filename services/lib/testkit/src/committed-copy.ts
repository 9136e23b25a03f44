import { readFileSync, writeFileSync } from 'node:fs';

const apiDocs = new URL('../../../../docs/api/', import.meta.url);

/**
 * The committed copy of a generated API document in docs/api/, where the README links it for
 * readers without a running stack. Reports whether it is the document as the code generates it
 * now; with ORDERLY_WRITE_API_DOCS=1 (`npm run contracts:openapi`) it is rewritten first.
 */
export function committedCopyIsCurrent(file: string, document: unknown): boolean {
  const text = `${JSON.stringify(document, null, 2)}\n`;
  const url = new URL(file, apiDocs);
  if (process.env.ORDERLY_WRITE_API_DOCS === '1') writeFileSync(url, text);
  try {
    return readFileSync(url, 'utf8') === text;
  } catch {
    return false;
  }
}
