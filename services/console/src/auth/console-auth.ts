import type Router from '@koa/router';
import { type BaseConfig, type Logger, tokenVerifier } from '@orderly/platform';
import type { Middleware } from 'koa';
import { authRoutes } from './auth-routes.js';
import { type AuthConfig, oidcResource } from './config.js';
import { consoleAuthenticate, consoleOpenPaths } from './console-authentication.js';
import { cookieJar } from './cookies.js';
import { LoginCookie } from './login-cookie.js';
import { OidcClient } from './oidc-client.js';
import { SessionStore } from './session-store.js';

export interface ConsoleAuth {
  /** /auth/login, /auth/callback, /auth/logout. */
  routes: Router;
  /** For ServiceParts.openPaths. */
  openPaths: string[];
  /** For ServiceParts.authenticate. */
  authenticate: (bearer: Middleware) => Middleware;
  sessions: SessionStore;
}

/** The console's sign-in as one piece: the OpenID Connect client, the sessions, the cookie, the authenticator. */
export function consoleAuth(config: AuthConfig & BaseConfig, logger: Logger): ConsoleAuth {
  const publicUrl = config.CONSOLE_PUBLIC_URL;
  const sessions = new SessionStore(config.CONSOLE_SESSION_SECRET);
  const cookies = cookieJar(publicUrl);
  const oidc = new OidcClient({
    issuer: config.AUTH_ISSUER,
    clientId: config.CONSOLE_OIDC_CLIENT_ID,
    scope: config.CONSOLE_OIDC_SCOPE,
    resource: oidcResource(config),
    redirectUri: `${publicUrl}/auth/callback`,
  });
  const loginCookie = new LoginCookie(config.CONSOLE_SESSION_SECRET);
  const routes = authRoutes({ oidc, verifier: tokenVerifier(config), sessions, loginCookie, cookies, publicUrl, logger });
  return {
    routes,
    openPaths: consoleOpenPaths,
    authenticate: consoleAuthenticate(sessions, cookies, publicUrl),
    sessions,
  };
}
