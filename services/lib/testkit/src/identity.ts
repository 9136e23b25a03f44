import { randomBytes } from 'node:crypto';
import { identityConfigSchema, newAccountPasswords, startIdentityProvider } from '@orderly/identity';
import { type TokenIssuer, tokensFrom } from '@orderly/identity/client';
import { exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload, SignJWT } from 'jose';
import { freePort } from './process.js';

export { type IdentityCredentials, type TokenIssuer, tokenCache, tokensFrom } from '@orderly/identity/client';

export interface TestIdentity extends TokenIssuer {
  issuer: string;
  audience: string;
  /** A token signed with the provider's own key (to test expiry, issuer, audience checks): claims over valid defaults. */
  forge(claims: JWTPayload, header?: Record<string, unknown>): Promise<string>;
  /** The provider's public signing key. */
  publicJwk: JWK;
  close(): Promise<void>;
}

/**
 * The demo OpenID Connect provider in this process on a free loopback port, with fresh secrets and
 * a signing key the test keeps (to forge the tokens that must be refused). Accounts: C1…C9, C100,
 * C200 (customers) and ops (operator).
 */
export async function startTestIdentity(): Promise<TestIdentity> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = `test-${randomBytes(4).toString('hex')}`;
  const signingKey = { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' };
  const customers = [...Array.from({ length: 9 }, (_, i) => `C${i + 1}`), 'C100', 'C200'];
  const accounts = [...customers.map((c) => `${c}:${c.toLowerCase()}@example.com`), 'ops:ops@orderly.example:orderly-operator'].join(',');
  const secrets = { toolsClientSecret: randomBytes(32).toString('base64url'), accountPasswords: newAccountPasswords(accounts) };
  const config = identityConfigSchema.parse({
    PORT: '0',
    IDP_ISSUER: 'http://127.0.0.1:0',
    IDP_TOOLS_CLIENT_SECRET: secrets.toolsClientSecret,
    IDP_ACCOUNT_PASSWORDS: JSON.stringify(secrets.accountPasswords),
    IDP_ACCOUNTS: accounts,
  });
  // The issuer URL names the port, so the port is taken first (oidc-provider fixes its issuer at construction).
  const port = await freePort();
  const idp = await startIdentityProvider({ config: { ...config, PORT: port, IDP_ISSUER: `http://127.0.0.1:${port}` }, signingKey });
  const tokens = tokensFrom({ issuer: idp.issuer, audience: idp.audience, ...secrets });
  const key = await importJWK(signingKey, 'ES256');
  const { d: _private, ...publicJwk } = signingKey;
  return {
    ...tokens,
    issuer: idp.issuer,
    audience: idp.audience,
    publicJwk,
    forge: (claims, header = {}) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({
        iss: idp.issuer,
        aud: idp.audience,
        sub: 'C100',
        email: 'c100@example.com',
        iat: now,
        exp: now + 300,
        ...claims,
      })
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt', ...header })
        .sign(key);
    },
    close: () => idp.close(),
  };
}
