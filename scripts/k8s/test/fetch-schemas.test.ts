import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';

/**
 * scripts/k8s/fetch-schemas.sh, with the network replaced by a curl that serves the upstream
 * copies in ../shared/schemas: every file with a pinned sha256 is installed and verified, a file
 * whose bytes differ is refused, and one with no pinned hash yet (prometheus-operator v0.86.2) is
 * refused unless recording is asked for — nothing is ever accepted silently.
 */
const shared = resolve('..', 'shared', 'schemas');
const run = promisify(execFile);

async function fetchWith(serve: (path: string) => string, env: Record<string, string> = {}) {
  const bin = mkdtempSync(join(tmpdir(), 'fetch-schemas-'));
  const manifest = join(bin, 'manifest');
  writeFileSync(manifest, readFileSync('k8s/schemas.sha256', 'utf8'));
  const sources = Object.fromEntries(
    readFileSync(manifest, 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split(' '))
      .map(([, path, url]) => [url!, serve(path!)]),
  );
  writeFileSync(
    join(bin, 'sources.tsv'),
    Object.entries(sources)
      .map(([url, file]) => `${url} ${file}\n`)
      .join(''),
  );
  // curl -fsSL --retry 3 -o <file> <url>
  writeFileSync(
    join(bin, 'curl'),
    `#!/bin/bash\nsrc=$(awk -v u="\${@: -1}" '$1 == u {print $2}' ${join(bin, 'sources.tsv')})\n[[ -f $src ]] || exit 22\ncp "$src" "$5"\n`,
  );
  chmodSync(join(bin, 'curl'), 0o755);
  const dest = join(bin, 'schemas');
  return run('bash', ['scripts/k8s/fetch-schemas.sh'], {
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, ORDERLY_SCHEMAS_DIR: dest, ...env },
  }).then(
    (r) => ({ ok: true, out: r.stdout + r.stderr, dest }),
    (e: { stdout: string; stderr: string }) => ({ ok: false, out: e.stdout + e.stderr, dest }),
  );
}

const present = existsSync(join(shared, 'crds'));
if (!present) console.warn(`\n  ⚠ SKIPPED: fetch-schemas.test.ts needs the upstream copies in ${shared}\n`);

(present ? test : test.skip)('pinned files are installed after their sha256 matches; unpinned ones are refused', async (t) => {
  const { ok, out, dest } = await fetchWith((path) => join(shared, path));
  t.false(ok, 'the prometheus-operator v0.86.2 CRDs have no pinned hash yet');
  t.regex(out, /✓ crds\/rabbitmq-cluster-operator\/rabbitmq\.com_rabbitmqclusters\.yaml/);
  t.regex(out, /✗ crds\/prometheus-operator\/monitoring\.coreos\.com_servicemonitors\.yaml: no pinned sha256 yet/);
  t.true(existsSync(join(dest, 'skaffold', 'v4beta14.json')));
  t.false(existsSync(join(dest, 'crds', 'prometheus-operator', 'monitoring.coreos.com_servicemonitors.yaml')));
});

(present ? test : test.skip)('a download whose bytes differ from the pinned hash is refused', async (t) => {
  const tampered = join(mkdtempSync(join(tmpdir(), 'tampered-')), 'keda.yaml');
  writeFileSync(tampered, `${readFileSync(join(shared, 'crds', 'keda', 'keda.sh_scaledobjects.yaml'), 'utf8')}\n# changed\n`);
  const { ok, out, dest } = await fetchWith((path) => (path.endsWith('keda.sh_scaledobjects.yaml') ? tampered : join(shared, path)));
  t.false(ok);
  t.regex(out, /✗ crds\/keda\/keda\.sh_scaledobjects\.yaml: sha256 [0-9a-f]{64}, expected/);
  t.false(existsSync(join(dest, 'crds', 'keda', 'keda.sh_scaledobjects.yaml')));
});
