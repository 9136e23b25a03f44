import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The upstream schemas (CRDs, skaffold) stay outside the repository: ORDERLY_SCHEMAS_DIR, else
 * ../shared/schemas. `present` is false when the folder has no crds/ in it.
 */
export function schemasDir(env: NodeJS.ProcessEnv = process.env): { dir: string; present: boolean } {
  const dir = resolve(env.ORDERLY_SCHEMAS_DIR ?? join('..', 'shared', 'schemas'));
  return { dir, present: existsSync(join(dir, 'crds')) };
}
