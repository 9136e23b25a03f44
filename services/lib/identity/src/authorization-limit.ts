import type { Context, Next } from 'koa';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

/** Told when sign-ins start being refused: structured fields, then the message. */
export type RefusalLog = (fields: Record<string, unknown>, msg: string) => void;

export interface AuthorizationLimits {
  /** New authorization requests one client address may make per minute. */
  perAddressPerMinute: number;
  /** Sign-ins in progress (interactions) beyond which new ones are refused, from anyone. */
  maxInteractions: number;
  /** How many interactions are live now. */
  liveInteractions(): number;
  /** Where refusals are told; each address's once a minute, the ceiling's once each time it is reached. */
  warn?: RefusalLog;
}

/**
 * Each authorization request (`/auth`) starts an interaction the provider keeps for ten minutes.
 * Anyone may send one, so new ones are limited per client address (the socket's: no forwarded
 * header is believed), and past a ceiling of live interactions new sign-ins are refused (503)
 * rather than older ones forgotten: a flood, from one address or many, cannot end an operator's
 * sign-in in progress. Resuming a sign-in (`/auth/<uid>`) is never limited.
 */
export function authorizationLimit(limits: AuthorizationLimits) {
  const perAddress = new RateLimiterMemory({ points: limits.perAddressPerMinute, duration: 60 });
  let atCeiling = false;
  return async (ctx: Context, next: Next) => {
    if (ctx.path !== '/auth') return next();
    const refuse = (status: number, retryAfterS: number, text: string) => {
      ctx.status = status;
      ctx.set('Retry-After', String(retryAfterS));
      ctx.set('Cache-Control', 'no-store');
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = `${text}\n`;
    };
    try {
      await perAddress.consume(ctx.ip || 'unknown');
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      // The first refusal of an address's minute is told; the rest of a flood is not logged line by line.
      if (err.consumedPoints === limits.perAddressPerMinute + 1)
        limits.warn?.({ address: ctx.ip, perMinute: limits.perAddressPerMinute }, 'sign-ins refused: too many started from one address');
      return refuse(429, Math.ceil(err.msBeforeNext / 1000), 'too many sign-ins started from this address: try again shortly');
    }
    const full = limits.liveInteractions() >= limits.maxInteractions;
    if (full && !atCeiling)
      limits.warn?.({ inProgress: limits.maxInteractions }, 'sign-ins refused: the ceiling of sign-ins in progress is reached');
    atCeiling = full;
    if (full) return refuse(503, 60, 'too many sign-ins in progress: try again shortly');
    return next();
  };
}
