import * as oidc from 'openid-client';

export interface OidcSettings {
  /** The issuer (AUTH_ISSUER): its discovery document names the endpoints. */
  issuer: string;
  /** The console's public client at the provider (authorization code + PKCE, no secret). */
  clientId: string;
  /** Scopes asked for; the access token's audience comes from the resource indicator. */
  scope: string;
  /** The API's resource indicator (AUTH_AUDIENCE): the access token is then a JWT the services accept. None for a
   * provider that refuses the parameter and derives the audience from the scope. */
  resource: string | undefined;
  /** `${CONSOLE_PUBLIC_URL}/auth/callback`. */
  redirectUri: string;
}

/** What the browser carries between the login redirect and the callback (sealed in its login cookie: login-cookie.ts). */
export interface PendingLogin {
  state: string;
  codeVerifier: string;
  nonce: string;
  /** A path of the console to return to. */
  returnTo: string;
}

/**
 * The console as an OpenID Connect relying party (openid-client): the authorization request with
 * PKCE (S256), state and nonce, and the code exchange, which checks the state, the ID token's
 * issuer, audience and nonce. The provider's metadata is discovered on first use and kept; a
 * failed discovery is tried again on the next sign-in, so the console starts before its provider.
 */
export class OidcClient {
  #config: Promise<oidc.Configuration> | undefined;

  constructor(readonly settings: OidcSettings) {}

  #configuration(): Promise<oidc.Configuration> {
    this.#config ??= oidc
      .discovery(new URL(this.settings.issuer), this.settings.clientId, { token_endpoint_auth_method: 'none' }, oidc.None(), {
        // An http issuer is one the services already trust over http (the local stack, the tests).
        ...(this.settings.issuer.startsWith('http:') ? { execute: [oidc.allowInsecureRequests] } : {}),
        timeout: 5,
      })
      .catch((err: unknown) => {
        this.#config = undefined;
        throw err;
      });
    return this.#config;
  }

  #resource(): Record<string, string> {
    return this.settings.resource ? { resource: this.settings.resource } : {};
  }

  /** The provider's authorization URL for a new sign-in, and what the callback must check. */
  async start(returnTo: string, { forceLogin = false } = {}): Promise<{ url: URL; pending: PendingLogin }> {
    const config = await this.#configuration();
    const pending = { state: oidc.randomState(), codeVerifier: oidc.randomPKCECodeVerifier(), nonce: oidc.randomNonce(), returnTo };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUri,
      response_type: 'code',
      scope: this.settings.scope,
      ...this.#resource(),
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
      // After a refused account: the provider asks again instead of reusing its session.
      ...(forceLogin ? { prompt: 'login' } : {}),
    });
    return { url, pending };
  }

  /** Exchanges the callback's code for the access token; throws when the provider refused or a check fails. */
  async finish(callbackUrl: URL, pending: PendingLogin): Promise<string> {
    const config = await this.#configuration();
    const tokens = await oidc.authorizationCodeGrant(
      config,
      callbackUrl,
      { pkceCodeVerifier: pending.codeVerifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true },
      this.#resource(),
    );
    return tokens.access_token;
  }
}
