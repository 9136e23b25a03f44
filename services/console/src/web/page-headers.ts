import type { Context } from 'koa';
import { importMapHash } from './static-files.js';

/**
 * The content security policy of every page the console serves: scripts and styles only from the
 * console itself (no inline script but the import map, admitted by its hash; no eval, no CDN), data
 * only from its own /api, no frames, no plugins, forms only to itself. With escaped output (Preact escapes every text it renders) an
 * injected string stays text.
 */
export const contentSecurityPolicy = [
  "default-src 'none'",
  `script-src 'self' ${importMapHash}`,
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers for an HTML page (the platform already sets nosniff and no-store). */
export function setPageHeaders(ctx: Context): void {
  ctx.set('Content-Security-Policy', contentSecurityPolicy);
  // same-origin, not no-referrer: with no-referrer a browser sends `Origin: null` on a form's POST, which the CSRF check refuses.
  ctx.set('Referrer-Policy', 'same-origin');
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
  ctx.set('Cross-Origin-Resource-Policy', 'same-origin');
}
