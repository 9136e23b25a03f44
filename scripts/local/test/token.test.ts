import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { identityConfigSchema, startIdentityProvider } from '@orderly/identity';
import { freePort } from '@orderly/testkit';
import test from 'ava';
import { decodeJwt } from 'jose';
import { localAccounts } from '../identity.ts';

const run = promisify(execFile);

/**
 * `npm run token` with the local stack's secrets file: each demo account has its
 * own generated password, `--password` prints the one asked for, and `--customer`/`--login` sign in
 * with the right one at the real provider.
 */
const stateDir = mkdtempSync(join(tmpdir(), 'orderly-token-'));
const port = await freePort();
const token = (...args: string[]) =>
  run(process.execPath, ['--conditions=source', '--import', 'tsx', 'scripts/local/token.ts', ...args], {
    env: { ...process.env, ORDERLY_STATE_DIR: stateDir, IDENTITY_PORT: String(port) },
  }).then((r) => r.stdout.trim());

let close: (() => Promise<void>) | undefined;
test.after.always(() => close?.());

test.serial('when the secrets are made, then every account has its own password, and the file is the owner’s only', async (t) => {
  const passwords = Object.fromEntries(await Promise.all(['C100', 'C200', 'ops'].map(async (a) => [a, await token('--password', a)])));
  const file = join(stateDir, 'identity', 'secrets.json');
  t.deepEqual(JSON.parse(readFileSync(file, 'utf8')).accountPasswords, passwords);
  t.is(new Set(Object.values(passwords)).size, 3, 'no two alike');
  t.is(statSync(file).mode & 0o777, 0o600);
  const unknown = await t.throwsAsync(token('--password', 'C999'));
  t.regex(String((unknown as { stderr?: string }).stderr), /C999: no such demo account \(C100, C200, ops\)/);
});

test.serial('when a token is asked for C100 or ops, then each signs in with its own password at the provider', async (t) => {
  const secrets = JSON.parse(readFileSync(join(stateDir, 'identity', 'secrets.json'), 'utf8')) as {
    toolsClientSecret: string;
    accountPasswords: Record<string, string>;
  };
  const issuer = `http://127.0.0.1:${port}`;
  const idp = await startIdentityProvider({
    config: identityConfigSchema.parse({
      PORT: String(port),
      IDP_ISSUER: issuer,
      IDP_ACCOUNTS: localAccounts,
      IDP_TOOLS_CLIENT_SECRET: secrets.toolsClientSecret,
      IDP_ACCOUNT_PASSWORDS: JSON.stringify(secrets.accountPasswords),
    }),
  });
  close = idp.close;
  t.like(decodeJwt(await token('--customer', 'C100')), { sub: 'C100', roles: [] });
  t.like(decodeJwt(await token('--login', 'ops')), { sub: 'ops', roles: ['orderly-operator'] });
});
