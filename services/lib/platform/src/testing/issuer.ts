import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';
import type { AuthConfig } from '../http/auth.js';

/**
 * A token issuer for service tests: a real key pair whose public half is served as a JWKS over
 * HTTP, so the service under test verifies every token exactly as in production. (The e2e suite
 * and the tools use the real OpenID Connect provider, @orderly/identity.)
 */
export interface TestIssuer {
  issuer: string;
  audience: string;
  jwksUrl: string;
  /** AUTH_* for a service that trusts this issuer. */
  env: Record<string, string>;
  /** The same, parsed: for a token verifier built without a service (tokenVerifier(issuer.auth)). */
  auth: AuthConfig;
  customer(customerId: string, email?: string): Promise<string>;
  operator(subject?: string): Promise<string>;
  /** A token with these claims (iss, aud, sub, iat and exp set unless given), signed with the issuer's key. */
  sign(claims: JWTPayload): Promise<string>;
  publicJwk: JWK;
  /** The signing key, for a test that builds a token the issuer would not (another header). */
  privateKey: CryptoKey;
}

export const operatorRole = 'orderly-operator';

let shared: Promise<TestIssuer> | undefined;

/** One issuer per test process (its JWKS server does not keep the process alive). */
export function testIssuer(): Promise<TestIssuer> {
  shared ??= startTestIssuer();
  return shared;
}

async function startTestIssuer(): Promise<TestIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid: 'test-1', alg: 'ES256', use: 'sig' };
  const server = createServer((req, res) => {
    res.writeHead(req.url === '/jwks' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(req.url === '/jwks' ? JSON.stringify({ keys: [publicJwk] }) : '{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const issuer = `${base}/`;
  const audience = 'urn:orderly:api';
  const sign = (claims: JWTPayload) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ iss: issuer, aud: audience, iat: now, exp: now + 300, ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'test-1', typ: 'at+jwt' })
      .sign(privateKey);
  };
  return {
    issuer,
    audience,
    jwksUrl: `${base}/jwks`,
    env: { AUTH_ISSUER: issuer, AUTH_AUDIENCE: audience, AUTH_JWKS_URL: `${base}/jwks` },
    auth: {
      AUTH_ISSUER: issuer,
      AUTH_AUDIENCE: audience,
      AUTH_JWKS_URL: `${base}/jwks`,
      AUTH_ALGORITHMS: ['ES256'],
      AUTH_CLOCK_SKEW_S: 30,
      AUTH_ROLES_CLAIM: 'roles',
      AUTH_OPERATOR_ROLE: operatorRole,
    },
    customer: (customerId, email = `${customerId.toLowerCase()}@example.com`) => sign({ sub: customerId, email }),
    operator: (subject = 'test-operator') => sign({ sub: subject, roles: [operatorRole] }),
    sign,
    publicJwk,
    privateKey,
  };
}

/** Authorization for a test that calls an API as an operator of the test issuer. */
export async function operatorHeaders(): Promise<Record<string, string>> {
  return { authorization: `Bearer ${await (await testIssuer()).operator()}` };
}
