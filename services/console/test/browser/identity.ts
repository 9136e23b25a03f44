import { randomBytes } from 'node:crypto';
import { demoAccounts, identityConfigSchema, newAccountPasswords, passwordOf, startIdentityProvider } from '@orderly/identity';
import { type TokenIssuer, tokensFrom } from '@orderly/identity/client';
import { freePort } from '@orderly/testkit';

export interface BrowserIdentity {
  issuer: string;
  /** AUTH_* for the services and the console. */
  env: Record<string, string>;
  tokens: TokenIssuer;
  /** A demo account's own password (its login page takes it). */
  passwordOf(account: string): string;
  close(): Promise<void>;
}

/**
 * The demo OpenID Connect provider, as `npm start` runs it, with the console's callback among the
 * browser client's redirect URIs (IDP_WEB_REDIRECT_URIS): an operator `ops` and customers C100, C200.
 */
export async function startBrowserIdentity(consoleUrl: string): Promise<BrowserIdentity> {
  const accountPasswords = newAccountPasswords(demoAccounts);
  const toolsClientSecret = randomBytes(32).toString('base64url');
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const config = identityConfigSchema.parse({
    PORT: String(port),
    IDP_ISSUER: issuer,
    IDP_TOOLS_CLIENT_SECRET: toolsClientSecret,
    IDP_ACCOUNT_PASSWORDS: JSON.stringify(accountPasswords),
    IDP_WEB_REDIRECT_URIS: `${consoleUrl}/auth/callback`,
  });
  const idp = await startIdentityProvider({ config });
  const tokens = tokensFrom({ issuer, audience: idp.audience, toolsClientSecret, accountPasswords });
  return { issuer, env: tokens.env, tokens, passwordOf: (account) => passwordOf(accountPasswords, account), close: () => idp.close() };
}
