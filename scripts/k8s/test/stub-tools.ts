import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Runs a script of this repository with stand-ins for the container and cluster tools (none run
 * here): each logs its arguments (and KIND_EXPERIMENTAL_PROVIDER, DOCKER_BUILDKIT) and answers with
 * the shell snippet given for it. Only the stubs and basic tools are on PATH.
 */
export async function withStubs(
  script: string,
  args: string[],
  stubs: Record<string, string>,
  env: Record<string, string> = {},
): Promise<{ ok: boolean; out: string; calls: string[] }> {
  const bin = mkdtempSync(join(tmpdir(), 'stub-tools-'));
  const log = join(bin, 'calls.log');
  for (const [tool, body] of Object.entries(stubs)) {
    writeFileSync(
      join(bin, tool),
      `#!/bin/bash\necho "${tool} [\${KIND_EXPERIMENTAL_PROVIDER:-}|\${DOCKER_BUILDKIT:-}] $*" >> ${log}\n${body}\nexit 0\n`,
    );
    chmodSync(join(bin, tool), 0o755);
  }
  const basics = mkdtempSync(join(tmpdir(), 'stub-basics-'));
  for (const b of ['bash', 'sh', 'awk', 'sed', 'sort', 'head', 'tr', 'base64', 'cat', 'grep', 'dirname', 'printf', 'env', 'mktemp', 'rm']) {
    const path = ['/usr/bin', '/bin'].map((d) => join(d, b)).find(existsSync);
    if (path) writeFileSync(join(basics, b), `#!/bin/sh\nexec ${path} "$@"\n`, { mode: 0o755 });
  }
  const result = await run('/bin/bash', [script, ...args], { env: { PATH: `${bin}:${basics}`, HOME: bin, TMPDIR: bin, ...env } }).then(
    (r) => ({ ok: true, out: r.stdout + r.stderr }),
    (e: { stdout: string; stderr: string }) => ({ ok: false, out: e.stdout + e.stderr }),
  );
  return { ...result, calls: existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [] };
}
