import type Router from '@koa/router';
import type { Context, Next } from 'koa';
import { HttpProblem, type ProblemType, problemTypes } from './problem.js';

/** The methods some route answers at a path (for Allow on a 405, RFC 9110 §15.5.6), HEAD with GET. */
export function allowedMethods(routers: Router[], path: string): string {
  const methods = new Set<string>();
  for (const router of routers) {
    for (const layer of router.match(path, 'GET').path) for (const m of layer.methods) methods.add(m);
  }
  return [...methods].sort().join(', ');
}

const withBody = new Set(['POST', 'PUT', 'PATCH']);

/**
 * A body that is not JSON is a 415 (RFC 9110 §15.5.16), not a 400 from a schema that saw no body:
 * every API here takes JSON only. A request without content (a bodiless POST, a sign-out form
 * with nothing in it) passes.
 */
export async function onlyJsonBodies(ctx: Context, next: Next): Promise<void> {
  const length = Number(ctx.get('content-length') || '0');
  const hasContent = length > 0 || ctx.get('transfer-encoding') !== '';
  if (withBody.has(ctx.method) && hasContent && !ctx.is('application/json', '+json')) {
    throw new HttpProblem(
      415,
      'Unsupported media type',
      `the body must be application/json, not ${ctx.get('content-type') || 'untyped'}`,
      {},
      {
        headers: { 'Accept-Post': 'application/json', 'Accept-Patch': 'application/json' },
      },
    );
  }
  await next();
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** GET /problems/:type: what a problem type means, for a person who follows its URI. */
export function problemTypePage(ctx: Context): void {
  const name = ctx.params?.type ?? '';
  if (!Object.hasOwn(problemTypes, name)) return;
  const type = problemTypes[name as ProblemType];
  ctx.type = 'html';
  ctx.set('Content-Security-Policy', "default-src 'none'");
  ctx.set('Cache-Control', 'public, max-age=86400');
  ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(type.title)}</title></head><body><h1>${escapeHtml(type.title)}</h1><p>HTTP ${type.status}. ${escapeHtml(type.description)}</p></body></html>\n`;
}
