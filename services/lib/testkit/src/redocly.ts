import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Findings a document may have on purpose: rule → JSON pointers (`#/paths/~1auth~1login/get/responses`). */
export type LintExceptions = Record<string, string[]>;

/**
 * Lints OpenAPI documents with Redocly's `recommended-strict` rules (the recommended rules with
 * every warning an error: servers, summaries, licence, 4XX …). Resolves to the exit code and what
 * it printed; no telemetry, no update check (the machine has no network for them). `exceptions`
 * are written to Redocly's own ignore file, so each one is named, scoped to its place, and counted
 * in the output ("explicitly ignored").
 */
export async function redoclyLint(
  documents: Record<string, unknown>,
  exceptions: Record<string, LintExceptions> = {},
): Promise<{ code: number; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'orderly-openapi-'));
  try {
    const files = Object.entries(documents).map(([name, body]) => {
      const file = join(dir, `${name}.openapi.json`);
      writeFileSync(file, JSON.stringify(body));
      return file;
    });
    writeFileSync(join(dir, 'redocly.yaml'), 'extends:\n  - recommended-strict\n');
    // Beside the configuration, as Redocly looks for it; keys are the documents' paths relative to it.
    writeFileSync(
      join(dir, '.redocly.lint-ignore.yaml'),
      JSON.stringify(Object.fromEntries(Object.entries(exceptions).map(([name, rules]) => [`${name}.openapi.json`, rules]))),
    );
    return await run('npx', ['--no-install', 'redocly', 'lint', '--config', join(dir, 'redocly.yaml'), '--format', 'stylish', ...files], {
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    }).then(
      (r) => ({ code: 0, out: r.stdout + r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
