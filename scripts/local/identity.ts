/**
 * The demo OpenID Connect provider of the local stack (services/lib/identity, oidc-provider) as its
 * own process on 127.0.0.1:8090, started before the services, which trust its tokens (AUTH_*).
 * Its secrets — the tools client's secret and each demo account's own password — are generated once
 * and kept in `<ORDERLY_STATE_DIR>/identity/secrets.json` (0600), where `npm run token` finds them.
 * With AUTH_ISSUER set in the environment the stack trusts that issuer instead and starts none.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { demoAccounts, newAccountPasswords, parseAccounts } from '@orderly/identity/accounts';
import { type TokenIssuer, tokensFrom } from '@orderly/identity/client';
import { freePort } from '@orderly/testkit';
import { consoleCallback } from './console.ts';
import { keptSecrets } from './secrets-file.ts';

const root = new URL('../..', import.meta.url).pathname;
const stateDir = process.env.ORDERLY_STATE_DIR ?? '/var/tmp/orderly';
const identityDir = join(stateDir, 'identity');
/** Where the running stack's provider is, written when it starts (the default port may be taken). */
const issuerFile = join(identityDir, 'issuer');
const chosenPort = process.env.IDENTITY_PORT ? Number(process.env.IDENTITY_PORT) : undefined;
export const defaultIssuer = `http://127.0.0.1:${chosenPort ?? 8090}`;
export const localAudience = 'urn:orderly:api';

/** The local provider's issuer: IDENTITY_PORT's, else the one the running stack recorded, else port 8090's. */
export async function localIssuer(): Promise<string> {
  if (chosenPort !== undefined || !existsSync(issuerFile)) return defaultIssuer;
  return (await readFile(issuerFile, 'utf8')).trim();
}
/** The demo accounts (each one's password: `accountPasswords` in the secrets file). */
export const localAccounts = demoAccounts;

export interface IdentitySecrets {
  toolsClientSecret: string;
  /** Each demo account's own password, by account: `jq -r .accountPasswords.ops` for the operator's. */
  accountPasswords: Record<string, string>;
  /** The provider's signing key (PEM): tokens stay valid when the stack restarts. */
  signingKey: string;
}

export const identitySecretsFile = join(identityDir, 'secrets.json');

/**
 * The local provider's secrets, made on first use. An older file (without the signing key, or with
 * the one password all accounts once shared) is made anew.
 */
export function identitySecrets(): Promise<IdentitySecrets> {
  return keptSecrets(
    identitySecretsFile,
    () => ({
      toolsClientSecret: randomBytes(32).toString('base64url'),
      accountPasswords: newAccountPasswords(localAccounts),
      signingKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    }),
    (kept) =>
      Boolean(kept.toolsClientSecret && kept.signingKey && kept.accountPasswords) &&
      parseAccounts(localAccounts).every((a) => typeof kept.accountPasswords?.[a.id] === 'string'),
  );
}

/** Tokens from the local provider: the operator's (client credentials) and the demo customers' (code + PKCE). */
export async function localTokens(issuer?: string): Promise<TokenIssuer> {
  return tokensFrom({ issuer: issuer ?? (await localIssuer()), audience: localAudience, ...(await identitySecrets()) });
}

export interface LocalIdentity {
  /** AUTH_* for the services. */
  env: Record<string, string>;
  pid: number;
  stop(): Promise<void>;
  kill(): void;
}

async function answers(issuer: string): Promise<boolean> {
  try {
    return (await fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

const envFor = (issuer: string) => ({ AUTH_ISSUER: issuer, AUTH_AUDIENCE: localAudience, AUTH_JWKS_URL: `${issuer}/jwks` });

/**
 * Starts the provider and waits until its discovery document answers. If the local provider runs
 * already (another stack of this machine started it, with the same secrets), that one is shared;
 * if something else holds the port, the provider takes a free one (unless IDENTITY_PORT names it).
 * The issuer is recorded in the state directory, where `npm run token` finds it.
 */
export async function startLocalIdentity(onLine?: (line: string) => void): Promise<LocalIdentity> {
  const main = `${root}services/lib/identity/dist/src/main.js`;
  if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build`);
  const secrets = await identitySecrets();
  let issuer = defaultIssuer;
  if (await answers(issuer)) {
    const ours = await (await localTokens(issuer)).operatorToken().then(
      () => true,
      () => false,
    );
    if (ours) {
      onLine?.(`sharing the identity provider already running on ${issuer}`);
      await writeFile(issuerFile, `${issuer}\n`);
      return { env: envFor(issuer), pid: 0, stop: async () => {}, kill: () => {} };
    }
    if (chosenPort !== undefined) throw new Error(`something else answers on ${issuer} (IDENTITY_PORT)`);
    issuer = `http://127.0.0.1:${await freePort()}`;
    onLine?.(`something else answers on ${defaultIssuer}: the identity provider takes ${issuer}`);
  }
  const child: ChildProcess = spawn(process.execPath, [main], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: new URL(issuer).port,
      HOST: '127.0.0.1',
      IDP_ISSUER: issuer,
      IDP_AUDIENCE: localAudience,
      IDP_ACCOUNTS: localAccounts,
      // The console signs operators in through the public client orderly-web.
      IDP_WEB_REDIRECT_URIS: consoleCallback,
      IDP_TOOLS_CLIENT_SECRET: secrets.toolsClientSecret,
      IDP_ACCOUNT_PASSWORDS: JSON.stringify(secrets.accountPasswords),
      IDP_SIGNING_KEY: secrets.signingKey,
      IDP_EXIT_WITH_STDIN: 'true',
    },
    // stdin stays open while this process lives: the provider exits when it closes.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream! }).on('line', (line) => onLine?.(line));
  const deadline = Date.now() + 30_000;
  while (!(await answers(issuer))) {
    if (child.exitCode !== null) throw new Error(`the identity provider exited (${child.exitCode}) during start-up`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('the identity provider did not answer within 30 s');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await writeFile(issuerFile, `${issuer}\n`);
  return {
    env: envFor(issuer),
    pid: child.pid ?? 0,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
    kill: () => void child.kill('SIGKILL'),
  };
}
