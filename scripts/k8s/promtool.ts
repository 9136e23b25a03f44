import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const alertsDir = 'charts/orderly/files/alerts';

/** Rule files (*.yaml) and their unit tests (*.test.yaml / tests/*.yaml, promtool's test format); synchronous, so ava can name its tests after them. */
export function alertFiles(dir = alertsDir): { rules: string[]; tests: string[] } {
  const all = existsSync(dir)
    ? readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .map((f) => join(dir, f))
        .sort()
    : [];
  const isTest = (f: string) => /\.test\.ya?ml$/.test(f) || /\/tests?\//.test(f);
  return { rules: all.filter((f) => /\.ya?ml$/.test(f) && !isTest(f)), tests: all.filter((f) => isTest(f) && /\.ya?ml$/.test(f)) };
}

async function promtool(args: string[]): Promise<string[]> {
  try {
    await run('promtool', args, { maxBuffer: 16 * 1024 * 1024 });
    return [];
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    return `${e.stdout ?? ''}${e.stderr ?? ''}`.split('\n').filter((l) => l.trim() !== '') || [e.message];
  }
}

export const checkRules = (files: string[]) => promtool(['check', 'rules', ...files]);
export const testRules = (files: string[]) => promtool(['test', 'rules', ...files]);
