import Router from '@koa/router';
import type { Logger, TokenVerifier } from '@orderly/platform';
import { decodeJwt } from 'jose';
import type { CookieJar } from './cookies.js';
import type { LoginCookie } from './login-cookie.js';
import { noticePage } from './notice-page.js';
import type { OidcClient } from './oidc-client.js';
import { sameOrigin } from './same-origin.js';
import type { SessionStore } from './session-store.js';

export interface AuthRoutesDeps {
  oidc: OidcClient;
  verifier: TokenVerifier;
  sessions: SessionStore;
  /** The sign-in under way, sealed into the browser's login cookie. */
  loginCookie: LoginCookie;
  cookies: CookieJar;
  /** CONSOLE_PUBLIC_URL: the origin the browser uses. */
  publicUrl: string;
  logger: Logger;
}

/** A path of the console to come back to after signing in; anything else (another site, //host) is the start page. */
export function safeReturnTo(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])[\x21-\x7e]{0,500}$/.test(value) ? value : '/';
}

/**
 * Sign-in (OpenID Connect authorization code + PKCE, through the provider's own login page),
 * the callback that turns an operator's access token into a session, and sign-out. Only an
 * operator gets a session: anyone else sees "operators only" (403) and gets no cookie.
 */
export function authRoutes({ oidc, verifier, sessions, loginCookie, cookies, publicUrl, logger }: AuthRoutesDeps): Router {
  const router = new Router({ prefix: '/auth' });
  const again = (label = 'Sign in again') => ({ href: '/auth/login', label });
  const publicHost = new URL(publicUrl).host;

  router.get('/login', async (ctx) => {
    // The login cookie belongs to the host the browser used, and the provider comes back to
    // <publicUrl>/auth/callback: a sign-in started on another name for the console (localhost for
    // 127.0.0.1, a Service name) would find no cookie there. Only the host is compared: behind a
    // proxy that ends TLS the request itself is plain http.
    if (ctx.host !== publicHost) {
      ctx.status = 303;
      return ctx.redirect(new URL(`/auth/login${ctx.search}`, publicUrl).href);
    }
    const returnTo = safeReturnTo(ctx.query.returnTo);
    let start: Awaited<ReturnType<OidcClient['start']>>;
    try {
      start = await oidc.start(returnTo, { forceLogin: ctx.query.switch === '1' });
    } catch (err) {
      logger.warn({ err }, 'the identity provider cannot be reached for sign-in');
      return noticePage(
        ctx,
        503,
        'Sign-in unavailable',
        'The identity provider does not answer. Try again in a moment.',
        again('Try again'),
      );
    }
    cookies.write(ctx, 'login', await loginCookie.seal(start.pending), loginCookie.ttlS);
    ctx.status = 303;
    ctx.redirect(start.url.href);
  });

  router.get('/callback', async (ctx) => {
    const login = await loginCookie.open(cookies.read(ctx, 'login'));
    cookies.clear(ctx, 'login');
    if (!login) return noticePage(ctx, 400, 'Sign-in expired', 'This sign-in was started too long ago or in another browser.', again());
    let accessToken: string;
    try {
      accessToken = await oidc.finish(new URL(`/auth/callback${ctx.search}`, publicUrl), login);
    } catch (err) {
      logger.warn({ err: { message: (err as Error).message } }, 'sign-in refused');
      return noticePage(ctx, 400, 'Sign-in failed', 'The identity provider did not complete the sign-in.', again());
    }
    let caller: Awaited<ReturnType<TokenVerifier['verify']>>;
    try {
      caller = await verifier.verify(accessToken);
    } catch (err) {
      // The provider issued a token the services would refuse: the configuration disagrees (AUTH_*).
      logger.error({ err: { message: (err as Error).message } }, 'the access token from sign-in does not verify');
      return noticePage(ctx, 502, 'Sign-in failed', 'The access token from the identity provider is not one the services accept.', again());
    }
    if (caller.kind !== 'operator') {
      logger.info({ subject: caller.subject }, 'console sign-in refused: not an operator');
      return noticePage(
        ctx,
        403,
        'Operators only',
        'The Orderly console is for operators. This account is not one, so it was not signed in.',
        { href: '/auth/login?switch=1', label: 'Sign in with another account' },
      );
    }
    const expiresAt = (decodeJwt(accessToken).exp ?? 0) * 1000;
    const id = sessions.create({ caller, accessToken, expiresAt });
    cookies.write(ctx, 'session', id, (expiresAt - Date.now()) / 1000);
    logger.info({ operator: caller.subject }, 'operator signed in to the console');
    ctx.status = 303;
    ctx.redirect(login.returnTo);
  });

  router.post('/logout', async (ctx) => {
    if (!sameOrigin(ctx, publicUrl)) return noticePage(ctx, 403, 'Refused', 'A sign-out must come from the console itself.');
    sessions.delete(cookies.read(ctx, 'session'));
    cookies.clear(ctx, 'session');
    noticePage(ctx, 200, 'Signed out', 'You have left the Orderly console.', again());
  });

  return router;
}
