import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Router from '@koa/router';

const uiDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const assets: Record<string, string> = { 'swagger-ui.css': 'text/css', 'swagger-ui-bundle.js': 'application/javascript' };

const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>API</title><link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/docs/swagger-ui-bundle.js"></script><script src="/docs/swagger-init.js"></script></body></html>`;

// No inline script (the CSP forbids it): the page starts Swagger UI from this file.
const init = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui' });\n`;

/** Scripts and styles from this service only; Swagger UI sets inline styles; no framing, no forms elsewhere. */
export const docsContentSecurityPolicy =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** GET /openapi.json and Swagger UI at /docs, served from the swagger-ui-dist package (no CDN). */
export function docsRoutes(document: () => Record<string, unknown>): Router {
  const router = new Router();
  router.get('/openapi.json', (ctx) => {
    ctx.body = document();
  });
  router.get('/docs', (ctx) => {
    ctx.set('Content-Security-Policy', docsContentSecurityPolicy);
    ctx.type = 'html';
    ctx.body = page;
  });
  router.get('/docs/swagger-init.js', (ctx) => {
    ctx.type = 'application/javascript';
    ctx.body = init;
  });
  router.get('/docs/:asset', (ctx) => {
    // Own keys only: /docs/__proto__ or /docs/constructor is a 404, not a file read of Object.prototype.
    const name = ctx.params.asset ?? '';
    const type = Object.hasOwn(assets, name) ? assets[name] : undefined;
    if (!type) return;
    ctx.type = type;
    ctx.set('cache-control', 'public, max-age=86400');
    ctx.body = readFileSync(join(uiDir, ctx.params.asset!));
  });
  return router;
}
