import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const alertsDir = 'charts/orderly/files/alerts';

export async function promtoolAvailable(): Promise<boolean> {
  try {
    await run('promtool', ['--version']);
    return true;
  } catch {
    return false;
  }
}

/** Rule files (*.yaml) and their unit tests (*.test.yaml / tests/*.yaml, promtool's test format). */
export async function alertFiles(dir = alertsDir): Promise<{ rules: string[]; tests: string[] }> {
  const all = await walk(dir).catch(() => [] as string[]);
  const isTest = (f: string) => /\.test\.ya?ml$/.test(f) || /\/tests?\//.test(f);
  return { rules: all.filter((f) => /\.ya?ml$/.test(f) && !isTest(f)), tests: all.filter(isTest) };
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out.sort();
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
