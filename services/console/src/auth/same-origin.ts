import type { Context } from 'koa';

/**
 * Whether a state-changing request comes from the console's own pages (CSRF): its Origin header
 * is CONSOLE_PUBLIC_URL's origin. Browsers send Origin on every POST; a request without one is
 * accepted only when the browser says it is same-origin (Sec-Fetch-Site).
 */
export function sameOrigin(ctx: Context, publicUrl: string): boolean {
  const origin = ctx.get('Origin');
  if (origin) return origin === new URL(publicUrl).origin;
  return ctx.get('Sec-Fetch-Site') === 'same-origin';
}

export const isSafeMethod = (method: string) => method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
