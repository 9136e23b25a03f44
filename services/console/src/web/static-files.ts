import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageDir } from '@orderly/platform';

export interface StaticFile {
  type: string;
  body: Buffer;
}

const require = createRequire(import.meta.url);
/** A package's folder, from its main entry (not every package exports its package.json). */
function packageRoot(name: string): string {
  const main = require.resolve(name);
  const marker = `${sep}node_modules${sep}${name.replaceAll('/', sep)}${sep}`;
  return main.slice(0, main.lastIndexOf(marker) + marker.length);
}

/** The front-end toolkit, served from node_modules as the browser's ES modules: no build step, no CDN. */
const vendor: Record<string, [pkg: string, file: string]> = {
  'preact.js': ['preact', 'dist/preact.module.js'],
  'preact-hooks.js': ['preact', 'hooks/dist/hooks.module.js'],
  'htm.js': ['htm', 'dist/htm.module.js'],
  'pico.min.css': ['@picocss/pico', 'css/pico.min.css'],
};

/** How the pages' modules name the toolkit (the import map resolves the names to /vendor). */
export const importMap = JSON.stringify({
  imports: { preact: '/vendor/preact.js', 'preact/hooks': '/vendor/preact-hooks.js', htm: '/vendor/htm.js' },
});
/** The import map is the page's one inline script: the policy admits it by its hash, nothing else inline. */
export const importMapHash = `'sha256-${createHash('sha256').update(importMap).digest('base64')}'`;

const typeOf = (file: string) => (file.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8');

/** The pages' own modules (src/web/ui, beside this file when run from source, else in the package's src). */
function uiDir(): string {
  const beside = fileURLToPath(new URL('./ui/', import.meta.url));
  return existsSync(beside) ? beside : join(packageDir(import.meta.url), 'src', 'web', 'ui');
}

/**
 * Every file the console serves, read once at start into memory: a request names a file of this
 * fixed list or gets a 404, so no path from a request ever reaches the file system.
 */
export function loadStaticFiles(): { ui: Map<string, StaticFile>; vendor: Map<string, StaticFile> } {
  const dir = uiDir();
  const ui = new Map(
    readdirSync(dir)
      .filter((f) => /^[a-z-]+\.(js|css)$/.test(f))
      .map((f) => [f, { type: typeOf(f), body: readFileSync(join(dir, f)) }] as const),
  );
  const vendored = new Map(
    Object.entries(vendor).map(
      ([name, [pkg, file]]) => [name, { type: typeOf(name), body: readFileSync(join(packageRoot(pkg), file)) }] as const,
    ),
  );
  return { ui, vendor: vendored };
}
