import { committedCopyIsCurrent, redoclyLint, Stack } from '@orderly/testkit';
import test from 'ava';

let stack: Stack;

test.before(async () => {
  stack = await (await Stack.create('api_documents')).start();
});
test.after.always(async () => {
  await stack?.dispose();
});

test('when every service’s OpenAPI document is linted by Redocly with the strict recommended rules, then none has a problem', async (t) => {
  const documents: Record<string, unknown> = {};
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
    t.true(
      committedCopyIsCurrent(`openapi.${service}.json`, body),
      `docs/api/openapi.${service}.json is not current: npm run contracts:openapi`,
    );
    documents[service] = body;
  }
  const lint = await redoclyLint(documents);
  t.is(lint.code, 0, lint.out);
  t.notRegex(lint.out, /warning/i, lint.out);
});
