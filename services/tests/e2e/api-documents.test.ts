import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Stack } from '@orderly/testkit';
import test from 'ava';

const run = promisify(execFile);
let stack: Stack;
const dir = mkdtempSync(join(tmpdir(), 'orderly-openapi-'));

test.before(async () => {
  stack = await (await Stack.create('api_documents')).start();
});
test.after.always(async () => {
  await stack?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

test('when every service’s OpenAPI document is linted by Redocly with the strict recommended rules, then none has a problem', async (t) => {
  const files: string[] = [];
  for (const service of stack.services.keys()) {
    const { status, body } = await stack.http(service, '/openapi.json');
    t.is(status, 200);
    const undocumented = Object.entries(body.paths as Record<string, Record<string, { 'x-undocumented'?: boolean }>>).flatMap(
      ([path, ops]) =>
        Object.entries(ops)
          .filter(([, op]) => op['x-undocumented'])
          .map(([m]) => `${m.toUpperCase()} ${path}`),
    );
    t.deepEqual(undocumented, [], `${service}: every route has its responses described`);
    const file = join(dir, `${service}.openapi.json`);
    writeFileSync(file, JSON.stringify(body));
    files.push(file);
  }
  // recommended-strict: the recommended rules with every warning an error (servers, summaries, licence, 4XX …).
  const lint = await run('npx', ['--no-install', 'redocly', 'lint', '--extends', 'recommended-strict', '--format', 'stylish', ...files], {
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
  }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
  );
  t.is(lint.code, 0, lint.out);
  t.notRegex(lint.out, /warning/i, lint.out);
});
