import test from 'ava';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { identityConfigSchema } from '../src/config.js';
import { loginToken } from '../src/token-client.js';
import { startTestProvider } from './test-provider.js';

/**
 * Every demo account has its own password, checked by the real provider's login
 * page. With one password for all, C100's signed in as C200 and as the operator.
 */
const { idp, issuer, passwords } = await startTestProvider();
test.after.always(() => idp.close());

const signIn = (login: string, password: string) =>
  loginToken({ issuer, audience: idp.audience, login, password }).then((token) => decodeJwt(token));

test('when each account signs in with its own password, then it gets its own token, typed at+jwt (RFC 9068)', async (t) => {
  for (const account of ['C100', 'C200', 'ops']) {
    const token = await loginToken({ issuer, audience: idp.audience, login: account, password: passwords[account]! });
    t.is(decodeJwt(token).sub, account);
    t.is(decodeProtectedHeader(token).typ, 'at+jwt', account);
  }
  t.deepEqual((await signIn('ops', passwords.ops!)).roles, ['orderly-operator']);
});

test("when C100's password is tried as C200 or as the operator ops, then the login page refuses it", async (t) => {
  for (const account of ['C200', 'ops']) {
    await t.throwsAsync(signIn(account, passwords.C100!), { message: `${account}: unknown account or wrong password` }, account);
  }
});

test('when two accounts would share a password, or one has none, then the provider does not start', (t) => {
  const config = (accountPasswords: Record<string, string>) =>
    identityConfigSchema.safeParse({
      IDP_ISSUER: 'http://127.0.0.1:8090',
      IDP_TOOLS_CLIENT_SECRET: 'x'.repeat(32),
      IDP_ACCOUNT_PASSWORDS: JSON.stringify(accountPasswords),
    });
  const shared = config({ ...passwords, ops: passwords.C100! });
  t.false(shared.success);
  t.regex(shared.error?.issues[0]?.message ?? '', /C100 and ops have the same password/);
  const { ops: _, ...withoutOps } = passwords;
  t.regex(config(withoutOps).error?.issues[0]?.message ?? '', /no password for ops/);
  t.regex(config({ ...passwords, C200: 'short' }).error?.issues[0]?.message ?? '', /at least 12 characters/);
  t.true(config(passwords).success);
});
