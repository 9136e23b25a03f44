import { createPrivateKey, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider, { errors } from 'oidc-provider';
import { type Account, operatorRole, parseAccounts } from './accounts.js';
import { authorizationLimit, type RefusalLog } from './authorization-limit.js';
import type { IdentityConfig } from './config.js';
import { interactions } from './interactions.js';
import { ProviderMemory } from './provider-memory.js';

export interface IdentityProviderOptions {
  config: IdentityConfig;
  /** The private signing key (JWK with kid); generated when absent. Tests pass one to forge tokens with it. */
  signingKey?: JWK;
  /** Where a refused flood of sign-ins is told (once a minute per address, once per filling of the ceiling). */
  warn?: RefusalLog;
}

export interface IdentityProvider {
  issuer: string;
  audience: string;
  jwksUrl: string;
  tokenUrl: string;
  provider: Provider;
}

/** Public client for browsers and the command line: authorization code + PKCE, loopback redirect (RFC 8252). */
export const cliClientId = 'orderly-cli';
export const cliRedirectUri = 'http://127.0.0.1/callback';
/** Confidential client for tools (demo, bench, live checks): client credentials, operator role. */
export const toolsClientId = 'orderly-tools';
/** The scope of the API at this provider (the resource server's one scope). */
export const apiScope = 'orderly';

/**
 * The demo OpenID Connect provider: the certified oidc-provider with demo accounts, a login page,
 * consent implied for Orderly's own clients, and JWT access tokens (RFC 9068) for one resource
 * server, the Orderly API, carrying the account's email and roles. Sessions, grants and codes live
 * in memory (provider-memory.ts): a demo and test provider, not one to run a store on.
 */
export async function createIdentityProvider({ config, signingKey, warn }: IdentityProviderOptions): Promise<IdentityProvider> {
  const key = signingKey ?? (config.IDP_SIGNING_KEY ? await signingKeyFrom(config.IDP_SIGNING_KEY) : await newSigningKey());
  const accounts = new Map<string, Account>(parseAccounts(config.IDP_ACCOUNTS).map((a) => [a.id, a]));
  const audience = config.IDP_AUDIENCE;
  const webRedirects = config.IDP_WEB_REDIRECT_URIS.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const clientRoles: Record<string, string[]> = { [toolsClientId]: [operatorRole] };
  const memory = new ProviderMemory();

  const provider = new Provider(config.IDP_ISSUER, {
    clients: [
      {
        client_id: cliClientId,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code' as const],
        redirect_uris: [cliRedirectUri],
        scope: `openid email ${apiScope}`,
      },
      ...(webRedirects.length > 0
        ? [
            {
              client_id: 'orderly-web',
              application_type: 'web' as const,
              token_endpoint_auth_method: 'none' as const,
              grant_types: ['authorization_code'],
              response_types: ['code' as const],
              redirect_uris: webRedirects,
              scope: `openid email ${apiScope}`,
            },
          ]
        : []),
      {
        client_id: toolsClientId,
        client_secret: config.IDP_TOOLS_CLIENT_SECRET,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['client_credentials'],
        response_types: [] as const,
        redirect_uris: [],
        scope: apiScope,
      },
    ],
    adapter: memory.adapter,
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    jwks: { keys: [key] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    scopes: ['openid', 'email', apiScope],
    async findAccount(_ctx, id) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, email: account.email, email_verified: true }) };
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => audience,
        useGrantedResource: async () => true,
        async getResourceServerInfo(_ctx, resource) {
          if (resource !== audience) throw new errors.InvalidTarget();
          return {
            scope: apiScope,
            audience,
            accessTokenTTL: config.IDP_ACCESS_TOKEN_TTL_S,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
    // The roles the API authorises by, and the email an order is sent to, travel in the access token.
    async extraTokenClaims(_ctx, token) {
      const accountId = (token as { accountId?: string }).accountId;
      if (accountId) {
        const account = accounts.get(accountId);
        return account ? { email: account.email, roles: account.roles } : undefined;
      }
      return { roles: clientRoles[token.clientId ?? ''] ?? [] };
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    ttl: {
      AccessToken: config.IDP_ACCESS_TOKEN_TTL_S,
      ClientCredentials: config.IDP_ACCESS_TOKEN_TTL_S,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
    renderError(ctx, out) {
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = `${out.error}: ${out.error_description ?? ''}\n`;
    },
  });
  // The probes Kubernetes asks (the provider keeps nothing it could be unready for).
  provider.use(async (ctx, next) => {
    if (ctx.path !== '/healthz' && ctx.path !== '/readyz') return next();
    ctx.body = { status: 'ok', service: 'identity' };
  });
  provider.use(
    authorizationLimit({
      perAddressPerMinute: config.IDP_SIGN_INS_PER_ADDRESS_PER_MINUTE,
      maxInteractions: config.IDP_MAX_SIGN_INS_IN_PROGRESS,
      liveInteractions: () => memory.count('Interaction'),
      ...(warn ? { warn } : {}),
    }),
  );
  provider.use(interactions(provider, accounts, config.IDP_ACCOUNT_PASSWORDS));
  const issuer = config.IDP_ISSUER.replace(/\/$/, '');
  return { issuer: config.IDP_ISSUER, audience, jwksUrl: `${issuer}/jwks`, tokenUrl: `${issuer}/token`, provider };
}

/** A configured key: PEM (what Helm's genPrivateKey "ecdsa" makes) or a JWK; P-256 only (ES256), its kid the thumbprint. */
export async function signingKeyFrom(text: string): Promise<JWK> {
  const jwk = (text.trim().startsWith('{') ? JSON.parse(text) : createPrivateKey(text).export({ format: 'jwk' })) as JWK;
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.d) throw new Error('IDP_SIGNING_KEY must be a private P-256 (ES256) key');
  const { kty, crv, x, y, d } = jwk;
  return { kty, crv, x, y, d, kid: jwk.kid ?? (await calculateJwkThumbprint({ kty, crv, x, y })), alg: 'ES256', use: 'sig' };
}

async function newSigningKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: `es256-${randomBytes(6).toString('hex')}`, alg: 'ES256', use: 'sig' };
}

/** Runs the provider on HOST:PORT; close() stops it. */
export async function startIdentityProvider(
  options: IdentityProviderOptions,
): Promise<IdentityProvider & { port: number; server: Server; close(): Promise<void> }> {
  const idp = await createIdentityProvider(options);
  const server = createServer(idp.provider.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject).listen(options.config.PORT, options.config.HOST, () => resolve());
  });
  return {
    ...idp,
    port: (server.address() as AddressInfo).port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
