import { existsSync } from 'node:fs';
import { chmod, link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Secrets generated once per machine and kept in a JSON file readable by its owner only (0600, in
 * a 0700 folder): the local identity provider's, the console's session key. A file missing a key
 * (written by an older version) is made anew.
 */
export async function keptSecrets<T extends object>(file: string, make: () => T, complete: (kept: Partial<T>) => boolean): Promise<T> {
  if (existsSync(file)) {
    const kept = JSON.parse(await readFile(file, 'utf8')) as Partial<T>;
    if (complete(kept)) return kept as T;
    await unlink(file);
  }
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  // Written whole under another name, then linked into place: a reader never sees half a file, and
  // of two processes making them at once the first wins (link fails on an existing name).
  const partial = `${file}.${process.pid}`;
  await writeFile(partial, `${JSON.stringify(make(), null, 2)}\n`, { mode: 0o600 });
  await link(partial, file).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
  await unlink(partial);
  await chmod(file, 0o600);
  return JSON.parse(await readFile(file, 'utf8')) as T;
}
