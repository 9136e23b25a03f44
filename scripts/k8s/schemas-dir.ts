import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The upstream schemas (CRDs, skaffold) stay outside the repository: --schemas <dir>, else
 * ORDERLY_SCHEMAS_DIR, else ../shared/schemas. Undefined when the folder is not there.
 */
export function schemasDir(
  argv: string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): { dir: string; present: boolean } {
  const i = argv.indexOf('--schemas');
  const flag = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith('--schemas='))?.slice('--schemas='.length);
  const dir = resolve(flag ?? env.ORDERLY_SCHEMAS_DIR ?? join('..', 'shared', 'schemas'));
  return { dir, present: existsSync(join(dir, 'crds')) };
}
