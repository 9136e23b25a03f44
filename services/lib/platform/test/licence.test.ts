import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { asyncApiDocument, licence, sagaModes } from '@orderly/events';
import test from 'ava';
import { openApiDocument } from '../src/http/openapi.js';

const root = new URL('../../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const workspaces = (JSON.parse(read('package.json')) as { workspaces: string[] }).workspaces;
// Every workspace's manifest: a directory glob (services/lib/*) is each directory in it with one.
const packages = [
  'package.json',
  ...workspaces
    .flatMap((w) => (w.endsWith('/*') ? readdirSync(new URL(w.slice(0, -1), root)).map((d) => `${w.slice(0, -1)}${d}`) : [w]))
    .map((dir) => `${dir}/package.json`)
    .filter((file) => existsSync(new URL(file, root))),
];

test('when the licence is read from LICENSE, every package.json and the API and message documents, then it is the same one', (t) => {
  const text = read('LICENSE');
  t.regex(text, new RegExp(`^SPDX-License-Identifier: ${licence.spdx}$`, 'm'));
  t.regex(text, /All rights reserved/);
  t.regex(text, /No licence is granted/);
  for (const file of packages) t.is((JSON.parse(read(file)) as { license?: string }).license, licence.spdx, file);
  const openapi = openApiDocument('things', '0.1.0', [], { title: 'Things' }) as { info: { license: unknown } };
  t.deepEqual(openapi.info.license, { name: licence.name, identifier: licence.spdx });
  for (const mode of sagaModes)
    t.deepEqual((asyncApiDocument(mode) as { info: { license: unknown } }).info.license, { name: licence.spdx }, mode);
  // The committed copies a reader opens from the README say the same.
  for (const mode of sagaModes) t.deepEqual(JSON.parse(read(`docs/api/asyncapi.${mode}.json`)).info.license, { name: licence.spdx }, mode);
});
