import test from 'ava';
import { authorizationUrl, pkcePair } from '../src/token-client.js';
import { startTestProvider } from './test-provider.js';

/**
 * Sign-ins in progress are never forgotten to make room. Past the ceiling of live
 * interactions new sign-ins are refused (503, Retry-After) and the earlier ones stay; past the
 * per-address rate, 429. (The browser test, services/console/test/browser/sign-in-flood.test.ts,
 * finishes an operator's sign-in through such a flood.)
 */
async function provider(extra: Record<string, string>) {
  const warnings: string[] = [];
  const { idp, issuer } = await startTestProvider(extra, (_fields, msg) => warnings.push(msg));
  const url = await authorizationUrl({
    issuer,
    audience: idp.audience,
    clientId: 'orderly-cli',
    redirectUri: 'http://127.0.0.1/callback',
    challenge: pkcePair().challenge,
    state: 's',
  });
  /** Starts n sign-ins one after another: each one's status, and where the first was sent. */
  const start = async (n: number) => {
    const answers: Response[] = [];
    for (let i = 0; i < n; i++) answers.push(await fetch(url, { redirect: 'manual' }));
    return answers;
  };
  return { idp, start, warnings };
}

test('when the sign-ins in progress reach the ceiling, then new ones are refused with 503 and the earlier ones still answer', async (t) => {
  const { idp, start, warnings } = await provider({ IDP_MAX_SIGN_INS_IN_PROGRESS: '10', IDP_SIGN_INS_PER_ADDRESS_PER_MINUTE: '1000' });
  t.teardown(() => idp.close());
  const answers = await start(15);
  t.deepEqual(
    answers.map((r) => r.status),
    [...Array(10).fill(303), ...Array(5).fill(503)],
  );
  t.is(answers[14]!.headers.get('retry-after'), '60');
  t.deepEqual(warnings, ['sign-ins refused: the ceiling of sign-ins in progress is reached'], 'told once, not per request');
  // The first sign-in's login page is still there, with the cookie that browser got.
  const first = answers[0]!;
  const page = await fetch(new URL(first.headers.get('location')!, first.url), {
    headers: {
      cookie: first.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; '),
    },
  });
  t.is(page.status, 200);
  t.regex(await page.text(), /Sign in to Orderly/);
});

test('when one address starts more sign-ins than its rate, then the rest are 429 with Retry-After', async (t) => {
  const { idp, start, warnings } = await provider({ IDP_SIGN_INS_PER_ADDRESS_PER_MINUTE: '5' });
  t.teardown(() => idp.close());
  const answers = await start(8);
  t.deepEqual(
    answers.map((r) => r.status),
    [303, 303, 303, 303, 303, 429, 429, 429],
  );
  t.true(Number(answers[7]!.headers.get('retry-after')) > 0);
  t.deepEqual(warnings, ['sign-ins refused: too many started from one address'], 'told once, not per request');
});
