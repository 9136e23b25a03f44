import { type Caller, forbidden, unauthorized } from '@orderly/platform';
import type { Context, Middleware, Next } from 'koa';
import type { CookieJar } from './cookies.js';
import { isSafeMethod, sameOrigin } from './same-origin.js';
import type { SessionStore } from './session-store.js';

/** Paths anyone may load: the sign-in routes and the pages' static files (code and styles, no data). */
export const consoleOpenPaths = ['/auth/', '/ui/', '/vendor/'];

/**
 * Who calls the console: a signed-in operator by the session cookie, or a caller with a bearer
 * token (the `npm run dlq` command, scripts), whose token is verified as every service does. Either
 * way only operators pass. A state-changing request on a session must come from the console's own
 * origin (CSRF: SameSite=Lax keeps the cookie off other sites' POSTs, the Origin check covers the
 * rest); a bearer token is never sent by a browser on its own, so it needs no such check.
 */
export function consoleAuthenticate(sessions: SessionStore, cookies: CookieJar, publicUrl: string): (bearer: Middleware) => Middleware {
  return (bearer) => async (ctx: Context, next: Next) => {
    const id = cookies.read(ctx, 'session');
    const session = sessions.get(id);
    if (session) {
      if (!isSafeMethod(ctx.method) && !sameOrigin(ctx, publicUrl))
        throw forbidden('a request on a console session must come from the console');
      ctx.state.caller = session.caller;
      ctx.state.accessToken = session.accessToken;
      // A long-lived answer (the live stream) ends when its session does (sign-out, expiry).
      ctx.state.stillSignedIn = () => sessions.get(id) !== undefined;
      return next();
    }
    // A browser opening the console without a session is sent to sign in, and back here after.
    if (ctx.path === '/' && ctx.method === 'GET' && !ctx.get('Authorization')) {
      ctx.status = 303;
      return ctx.redirect('/auth/login');
    }
    if (!ctx.get('Authorization')) throw unauthorized('sign in at /auth/login, or send a bearer token', false);
    return bearer(ctx, () => {
      ctx.state.accessToken = /^Bearer +(\S+)/i.exec(ctx.get('Authorization'))![1];
      if ((ctx.state.caller as Caller).kind !== 'operator') throw forbidden('the console is for operators');
      return next();
    });
  };
}

/** The access token the console calls the services with: the operator's own. */
export function accessTokenOf(ctx: { state: { accessToken?: string } }): string {
  const token = ctx.state.accessToken;
  if (!token) throw new Error('no access token: is the route behind the console authentication?');
  return token;
}
