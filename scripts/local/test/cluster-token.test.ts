import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { demoAccounts, identityConfigSchema, newAccountPasswords, startIdentityProvider } from '@orderly/identity';
import { baseConfigSchema, loadConfig, tokenVerifier } from '@orderly/platform';
import { requiredSettings } from '@orderly/platform/testing';
import { freePort } from '@orderly/testkit';
import test from 'ava';

/**
 * `npm run token` for a cluster: the chart's demo provider is reached through a port-forward on
 * 127.0.0.1 while its issuer (what tokens carry, what the services check) is its in-cluster URL.
 * The real provider, the real CLI as a child process, and a `kubectl` that answers what
 * `kubectl get secret orderly-identity` would; the token must be one the services accept.
 */
const run = promisify(execFile);
const secret = randomBytes(32).toString('base64url');
const accountPasswords = newAccountPasswords(demoAccounts);
let port: number;
let issuer: string;
let close: () => Promise<void>;
let kubectlDir: string;

test.before(async () => {
  port = await freePort();
  issuer = `http://orderly-identity.orderly.svc:${port}`;
  const config = identityConfigSchema.parse({
    PORT: String(port),
    IDP_ISSUER: issuer,
    IDP_TOOLS_CLIENT_SECRET: secret,
    IDP_ACCOUNT_PASSWORDS: JSON.stringify(accountPasswords),
  });
  close = (await startIdentityProvider({ config })).close;
  kubectlDir = mkdtempSync(join(tmpdir(), 'token-kubectl-'));
  const calls = join(kubectlDir, 'calls.log');
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  writeFileSync(
    join(kubectlDir, 'kubectl'),
    `#!/bin/sh\necho "$*" >> ${calls}\ncase "$*" in *account-passwords*) printf %s '${b64(JSON.stringify(accountPasswords))}' ;; *) printf %s '${b64(secret)}' ;; esac\n`,
  );
  chmodSync(join(kubectlDir, 'kubectl'), 0o755);
});
test.after.always(() => close?.());

const token = (args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, ['--conditions=source', '--import', 'tsx', 'scripts/local/token.ts', ...args], {
    env: { ...process.env, PATH: `${kubectlDir}:${process.env.PATH}`, ...env },
  }).then((r) => r.stdout.trim());

/** Verified as every service on the cluster verifies: in-cluster issuer, the chart's audience. */
const verifier = () =>
  tokenVerifier(
    loadConfig(baseConfigSchema, {
      ...requiredSettings,
      PORT: '0',
      AUTH_ISSUER: issuer,
      AUTH_AUDIENCE: 'urn:orderly:api',
      AUTH_JWKS_URL: `http://127.0.0.1:${port}/jwks`,
    }),
  );

test('when asked for a cluster token, then it reads the secret with kubectl and returns an operator token the services accept', async (t) => {
  const jwt = await token(['--cluster', '--port', String(port)]);
  const caller = await verifier().verify(jwt);
  t.is(caller.kind, 'operator');
  t.regex(
    readFileSync(join(kubectlDir, 'calls.log'), 'utf8'),
    /-n orderly get secret orderly-identity -o jsonpath=\{\.data\.tools-client-secret\}/,
  );
});

test('when asked for a token of a named issuer, then the secret comes from a file or the environment, never an argument', async (t) => {
  const file = join(mkdtempSync(join(tmpdir(), 'token-secret-')), 'secret');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  const common = ['--issuer', issuer, '--token-url', `http://127.0.0.1:${port}/token`];
  t.is((await verifier().verify(await token([...common, '--client-secret-file', file]))).kind, 'operator');
  t.is((await verifier().verify(await token(common, { ORDERLY_CLIENT_SECRET: secret }))).kind, 'operator');
  const refused = await t.throwsAsync(token(common, { ORDERLY_CLIENT_SECRET: 'wrong' }));
  t.regex(String((refused as { stderr?: string }).stderr), /token: token request refused: invalid_client/);
  const none = await t.throwsAsync(token(common, { ORDERLY_CLIENT_SECRET: '' }));
  t.regex(String((none as { stderr?: string }).stderr), /no client secret/);
});

test("when asked for an account's password on the cluster, then it is that account's own, from the Secret", async (t) => {
  t.is(await token(['--cluster', '--password', 'ops']), accountPasswords.ops!);
  t.is(await token(['--cluster', '--password', 'C100']), accountPasswords.C100!);
  t.regex(readFileSync(join(kubectlDir, 'calls.log'), 'utf8'), /get secret orderly-identity -o jsonpath=\{\.data\.account-passwords\}/);
  const unknown = await t.throwsAsync(token(['--cluster', '--password', 'C999']));
  t.regex(String((unknown as { stderr?: string }).stderr), /C999: no such demo account/);
});
