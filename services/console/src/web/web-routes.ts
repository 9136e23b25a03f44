import Router from '@koa/router';
import { notFound } from '@orderly/platform';
import type { Context } from 'koa';
import { setPageHeaders } from './page-headers.js';
import { pageShell } from './page-shell.js';
import { loadStaticFiles, type StaticFile } from './static-files.js';

/**
 * The page (/, only with a session: the authenticator sends a browser without one to sign in)
 * and its static files (/ui/*, /vendor/*, open: code and styles, no data). The files may be
 * cached by the browser but must be checked again (no-cache), so an upgrade is seen at once.
 */
export function webRoutes(): Router {
  const files = loadStaticFiles();
  const router = new Router();
  const send = (ctx: Context, file: StaticFile | undefined, name: string) => {
    if (!file) throw notFound(name);
    setPageHeaders(ctx);
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = file.type;
    ctx.body = file.body;
  };
  router.get('/', (ctx) => {
    setPageHeaders(ctx);
    ctx.type = 'html';
    ctx.body = pageShell;
  });
  router.get('/ui/:file', (ctx) => send(ctx, files.ui.get(ctx.params.file!), ctx.path));
  router.get('/vendor/:file', (ctx) => send(ctx, files.vendor.get(ctx.params.file!), ctx.path));
  return router;
}
