import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';
import type { Context, Middleware, Next } from 'koa';
import type { BaseConfig } from '../config.js';
import { HttpProblem, notFound } from './problem.js';

/**
 * Who is calling, from a verified OAuth 2 access token (JWT). A customer is the token's subject:
 * they act on their own orders, shipments, notifications and profile only. An operator carries the
 * operator role in the configured roles claim (or, only where AUTH_OPERATOR_SCOPE names one, that
 * scope) and may read and act on everything.
 */
export type Caller =
  | { kind: 'customer'; customerId: string; email?: string; subject: string }
  | { kind: 'operator'; subject: string; email?: string };

export type AuthConfig = Pick<
  BaseConfig,
  'AUTH_ISSUER' | 'AUTH_AUDIENCE' | 'AUTH_JWKS_URL' | 'AUTH_ALGORITHMS' | 'AUTH_CLOCK_SKEW_S' | 'AUTH_ROLES_CLAIM' | 'AUTH_OPERATOR_ROLE'
> &
  Partial<Pick<BaseConfig, 'AUTH_OPERATOR_SCOPE'>>;

/** Paths anyone may call: probes, metrics (cluster-internal; no personal data) and the API description. */
export const openPaths = ['/healthz', '/readyz', '/metrics', '/openapi.json', '/docs', '/asyncapi.json', '/asyncapi.html'];

/**
 * How a service authenticates beyond the default (bearer tokens everywhere but the open paths):
 * the console also accepts its session cookie and serves its sign-in pages to anyone.
 */
export interface Authentication {
  /** Paths served without authentication besides the platform's: exact, or every path under one ending in '/'. */
  openPaths?: readonly string[];
  /**
   * Authenticates every other request instead of the bearer check, which it gets to fall back on.
   * It must set ctx.state.caller before calling next (a request without one is refused with 401).
   */
  authenticate?: (bearer: Middleware) => Middleware;
}

/** Whether a path is served without authentication: the platform's open paths, and the service's own. */
export function openPathTest(extra: readonly string[] = []): (path: string) => boolean {
  if (extra.some((p) => !p.startsWith('/') || p === '/'))
    throw new Error(`open paths start with / and are not / itself: ${extra.join(', ')}`);
  const exact = new Set([...openPaths, ...extra.filter((p) => !p.endsWith('/'))]);
  const prefixes = ['/docs/', '/problems/', ...extra.filter((p) => p.endsWith('/'))];
  // A dot segment (plain or encoded) could climb out of an open prefix in whatever serves it: never open.
  const dotSegment = /(^|\/)(\.|%2e){1,2}(\/|$)/i;
  return (path) => exact.has(path) || (prefixes.some((p) => path.startsWith(p)) && !dotSegment.test(path));
}

const realm = 'realm="orderly"';

/** 401 with the RFC 6750 challenge; a token that was sent and refused says invalid_token. */
export function unauthorized(detail: string, tokenSent: boolean): HttpProblem {
  const challenge = tokenSent ? `Bearer ${realm}, error="invalid_token"` : `Bearer ${realm}`;
  return new HttpProblem(401, 'Unauthorized', detail, {}, { headers: { 'WWW-Authenticate': challenge } });
}

export const forbidden = (detail: string) =>
  new HttpProblem(403, 'Forbidden', detail, {}, { headers: { 'WWW-Authenticate': `Bearer ${realm}, error="insufficient_scope"` } });

export interface TokenVerifier {
  verify(token: string): Promise<Caller>;
}

/** Reads a claim by name, or by dot path when no claim has that exact name (Auth0's namespaced claims contain dots). */
function claimAt(payload: JWTPayload, path: string): unknown {
  if (path in payload) return payload[path];
  return path
    .split('.')
    .reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), payload);
}

/**
 * The operator comes from the roles claim, which the provider's administrator assigns. A requested
 * scope is not enough on most providers (any user may ask for any scope), so a scope counts only
 * when AUTH_OPERATOR_SCOPE names one an administrator grants (Entra ID's admin-consented scopes).
 */
function isOperator(payload: JWTPayload, config: AuthConfig): boolean {
  const roles = claimAt(payload, config.AUTH_ROLES_CLAIM);
  if (Array.isArray(roles) && roles.includes(config.AUTH_OPERATOR_ROLE)) return true;
  if (!config.AUTH_OPERATOR_SCOPE) return false;
  const scope = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
  return scope.includes(config.AUTH_OPERATOR_SCOPE);
}

/**
 * Verifies access tokens against the issuer's JWKS (fetched on first use, cached, fetched again
 * at most every 30 s when a token names an unknown key): signature with an allowed asymmetric
 * algorithm, the access-token type `at+jwt` (RFC 9068: an ID token or another JWT of the same
 * issuer is no access token), iss, aud, exp and nbf with the configured leeway, and a subject that
 * is a non-empty string (it becomes the customer id).
 */
export function tokenVerifier(config: AuthConfig): TokenVerifier {
  const jwks = createRemoteJWKSet(new URL(config.AUTH_JWKS_URL), { timeoutDuration: 5000, cooldownDuration: 30_000 });
  return {
    async verify(token) {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: config.AUTH_ISSUER,
        audience: config.AUTH_AUDIENCE,
        algorithms: [...config.AUTH_ALGORITHMS],
        clockTolerance: config.AUTH_CLOCK_SKEW_S,
        requiredClaims: ['sub', 'exp'],
        typ: 'at+jwt',
      });
      const subject = payload.sub;
      if (typeof subject !== 'string' || subject === '')
        throw new errors.JWTClaimValidationFailed('"sub" must be a non-empty string', payload, 'sub', 'check_failed');
      const email = typeof payload.email === 'string' ? payload.email : undefined;
      const who = { subject, ...(email ? { email } : {}) };
      return isOperator(payload, config) ? { kind: 'operator', ...who } : { kind: 'customer', customerId: subject, ...who };
    },
  };
}

/** Errors that mean "the issuer's keys could not be had", not "the token is bad": a 503, not a 401. */
function keysUnavailable(err: unknown): boolean {
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) return true;
  return !(err instanceof errors.JOSEError) && err instanceof Error && err.name !== 'HttpProblem';
}

/**
 * Koa middleware: every request but the open paths needs a valid bearer token (or what the
 * service's own authenticate accepts); the caller is put on ctx.state.caller for the routes to
 * decide what it may do.
 */
export function authenticate(verifier: TokenVerifier, custom: Authentication = {}): Middleware {
  const isOpen = openPathTest(custom.openPaths);
  const bearer = bearerAuthentication(verifier);
  const own = custom.authenticate?.(bearer);
  return async (ctx: Context, next: Next) => {
    if (isOpen(ctx.path)) return next();
    if (!own) return bearer(ctx, next);
    // A service's authenticator that lets a request through without a caller has not authenticated it.
    return own(ctx, () => {
      if (!ctx.state.caller) throw unauthorized('not signed in', false);
      return next();
    });
  };
}

/** Verifies the request's bearer token and puts its caller on ctx.state.caller. */
function bearerAuthentication(verifier: TokenVerifier): Middleware {
  return async (ctx: Context, next: Next) => {
    const header = ctx.get('Authorization');
    const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(header);
    if (!match) throw unauthorized(header ? 'the Authorization header is not a bearer token' : 'a bearer token is required', header !== '');
    let caller: Caller;
    try {
      caller = await verifier.verify(match[1]!);
    } catch (err) {
      if (keysUnavailable(err)) throw new HttpProblem(503, 'Authentication unavailable', undefined, {}, { cause: err });
      throw unauthorized('the token is invalid or expired', true);
    }
    ctx.state.caller = caller;
    return next();
  };
}

export function callerOf(ctx: { state: { caller?: Caller } }): Caller {
  const caller = ctx.state.caller;
  if (!caller) throw new Error('no authenticated caller: is the route behind authenticate()?');
  return caller;
}

/** Operators only (restock, the activity log, internal read APIs): anyone else gets 403. */
export function requireOperator(ctx: { state: { caller?: Caller } }): Caller & { kind: 'operator' } {
  const caller = callerOf(ctx);
  if (caller.kind !== 'operator') throw forbidden('this needs the operator role');
  return caller;
}

/**
 * A resource that belongs to a customer: its owner and operators may see it; to anyone else it
 * does not exist (404, the same answer as for a resource that really does not exist).
 */
export function ownedBy<T>(
  ctx: { state: { caller?: Caller } },
  resource: T | undefined,
  ownerOf: (r: T) => string | null,
  what: string,
): T {
  const caller = callerOf(ctx);
  if (resource === undefined || (caller.kind === 'customer' && ownerOf(resource) !== caller.customerId)) throw notFound(what);
  return resource;
}

/** The customer a request acts for: a customer only for themselves (403 for another), an operator for whom it names. */
export function actingFor(ctx: { state: { caller?: Caller } }, named: string | undefined): string | undefined {
  const caller = callerOf(ctx);
  if (caller.kind === 'operator') return named;
  if (named !== undefined && named !== caller.customerId) throw forbidden('a customer may act only for themselves');
  return caller.customerId;
}
