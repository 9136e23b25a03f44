import { createHash, randomBytes } from 'node:crypto';

export interface TokenRequest {
  /** The issuer URL (its discovery document is at /.well-known/openid-configuration). */
  issuer: string;
  /** The API's resource indicator. */
  audience: string;
}

interface Discovery {
  authorization_endpoint: string;
  token_endpoint: string;
}

async function discover(issuer: string): Promise<Discovery> {
  const res = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (!res.ok) throw new Error(`${issuer}: no OpenID Connect discovery document (HTTP ${res.status})`);
  return (await res.json()) as Discovery;
}

async function tokenFrom(res: Response): Promise<string> {
  const body = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
  if (!res.ok || !body.access_token) throw new Error(`token request refused: ${body.error ?? res.status} ${body.error_description ?? ''}`);
  return body.access_token;
}

/**
 * An access token by client credentials (RFC 6749 §4.4): what tools and services use. tokenEndpoint
 * overrides the discovered one (a provider reached through a port-forward names its in-cluster URL).
 */
export async function clientCredentialsToken({
  issuer,
  audience,
  clientId,
  clientSecret,
  scope = 'orderly',
  tokenEndpoint,
}: TokenRequest & { clientId: string; clientSecret: string; scope?: string; tokenEndpoint?: string }): Promise<string> {
  const token_endpoint = tokenEndpoint ?? (await discover(issuer)).token_endpoint;
  const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64');
  return tokenFrom(
    await fetch(token_endpoint, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      // No resource indicator for an empty audience: some providers (Entra ID v2.0) refuse the parameter.
      body: new URLSearchParams({ grant_type: 'client_credentials', scope, ...(audience ? { resource: audience } : {}) }),
    }),
  );
}

export const pkcePair = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

/** The authorization request of the code + PKCE flow (RFC 7636), as a browser would open it. */
export async function authorizationUrl({
  issuer,
  audience,
  clientId,
  redirectUri,
  challenge,
  state,
}: TokenRequest & { clientId: string; redirectUri: string; challenge: string; state: string }): Promise<URL> {
  const url = new URL((await discover(issuer)).authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    scope: 'openid email orderly',
    redirect_uri: redirectUri,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    resource: audience,
    state,
  }).toString();
  return url;
}

/** Exchanges an authorization code for the access token (with the PKCE verifier). */
export async function exchangeCode({
  issuer,
  audience,
  clientId,
  redirectUri,
  code,
  verifier,
}: TokenRequest & { clientId: string; redirectUri: string; code: string; verifier: string }): Promise<string> {
  const { token_endpoint } = await discover(issuer);
  return tokenFrom(
    await fetch(token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        code_verifier: verifier,
        client_id: clientId,
        resource: audience,
      }),
    }),
  );
}

/**
 * An account's access token by the browser flow — authorization code + PKCE with the public client —
 * walked through without a browser: open the authorization URL, post the login form, follow the
 * redirects to the callback, exchange the code. What `npm run token -- --customer C100` does.
 */
export async function loginToken({
  issuer,
  audience,
  login,
  password,
  clientId = 'orderly-cli',
  redirectUri = 'http://127.0.0.1/callback',
}: TokenRequest & { login: string; password: string; clientId?: string; redirectUri?: string }): Promise<string> {
  const { verifier, challenge } = pkcePair();
  const state = randomBytes(16).toString('base64url');
  const cookies = new Map<string, string>();
  const go = async (url: string, init: RequestInit = {}) => {
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers ?? {}), cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    return res;
  };
  /** Follows redirects until one leaves for the callback (returns its URL) or a page answers. */
  const follow = async (first: Response): Promise<{ page?: Response; callback?: URL }> => {
    let res = first;
    for (let hops = 0; hops < 10; hops++) {
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location) return { page: res };
      const next = new URL(location, res.url || issuer);
      if (next.href.startsWith(redirectUri)) return { callback: next };
      res = await go(next.href);
    }
    throw new Error('too many redirects');
  };
  const start = await authorizationUrl({ issuer, audience, clientId, redirectUri, challenge, state });
  const { page } = await follow(await go(start.href));
  const uid =
    /\/interaction\/([A-Za-z0-9_-]+)/.exec(page?.url ?? '')?.[1] ??
    /action="\/interaction\/([A-Za-z0-9_-]+)\/login"/.exec(await page!.text())?.[1];
  if (!uid) throw new Error(`no login page from ${issuer} (HTTP ${page?.status})`);
  const submitted = await go(new URL(`/interaction/${uid}/login`, issuer).href, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ login, password }),
  });
  if (submitted.status === 401) throw new Error(`${login}: unknown account or wrong password`);
  const { callback } = await follow(submitted);
  if (!callback) throw new Error('the sign-in did not come back to the client');
  if (callback.searchParams.get('state') !== state) throw new Error('state mismatch');
  const code = callback.searchParams.get('code');
  if (!code)
    throw new Error(`sign-in refused: ${callback.searchParams.get('error')} ${callback.searchParams.get('error_description') ?? ''}`);
  return exchangeCode({ issuer, audience, clientId, redirectUri, code, verifier });
}

/** Where tokens come from and what a service needs to trust them. */
export interface TokenIssuer {
  /** AUTH_ISSUER, AUTH_AUDIENCE, AUTH_JWKS_URL for the services. */
  env: Record<string, string>;
  /** An operator's token (client credentials of the tools client), reused until close to expiry. */
  operatorToken(): Promise<string>;
  /** A demo account's token (authorization code + PKCE with the account's own password): a customer, or `ops`. */
  customerToken(customerId: string): Promise<string>;
}

/** Caches each token until a minute before it expires. */
export function tokenCache(fetchToken: (key: string) => Promise<string>) {
  const cached = new Map<string, { token: string; until: number }>();
  return async (key: string) => {
    const hit = cached.get(key);
    if (hit && hit.until > Date.now()) return hit.token;
    const token = await fetchToken(key);
    const { exp } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number };
    cached.set(key, { token, until: exp * 1000 - 60_000 });
    return token;
  };
}

/** Issuer-side credentials: enough to get any demo token from a provider that is running. */
export interface IdentityCredentials {
  issuer: string;
  audience: string;
  toolsClientSecret: string;
  /** Each demo account's own password, by account. */
  accountPasswords: Readonly<Record<string, string>>;
}

/** The password of one demo account, or an error that names the accounts there are. */
export function passwordOf(passwords: Readonly<Record<string, string>>, account: string): string {
  if (!Object.hasOwn(passwords, account)) throw new Error(`${account}: no such demo account (${Object.keys(passwords).join(', ')})`);
  return passwords[account]!;
}

export function tokensFrom(c: IdentityCredentials): TokenIssuer {
  const jwksUrl = `${c.issuer.replace(/\/$/, '')}/jwks`;
  const get = tokenCache((key) =>
    key === '' // the operator
      ? clientCredentialsToken({ issuer: c.issuer, audience: c.audience, clientId: 'orderly-tools', clientSecret: c.toolsClientSecret })
      : loginToken({ issuer: c.issuer, audience: c.audience, login: key, password: passwordOf(c.accountPasswords, key) }),
  );
  return {
    env: { AUTH_ISSUER: c.issuer, AUTH_AUDIENCE: c.audience, AUTH_JWKS_URL: jwksUrl },
    operatorToken: () => get(''),
    customerToken: (customerId) => get(customerId),
  };
}
