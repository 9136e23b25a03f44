import type { Context } from 'koa';
import { setPageHeaders } from '../web/page-headers.js';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A small server-rendered page for the sign-in's outcomes that are not the console itself
 * (operators only, a sign-in that failed): every text escaped, no script.
 */
export function noticePage(ctx: Context, status: number, title: string, text: string, action?: { href: string; label: string }): void {
  setPageHeaders(ctx);
  ctx.status = status;
  ctx.type = 'html';
  ctx.body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Orderly console</title><link rel="stylesheet" href="/vendor/pico.min.css"></head>
<body><main class="container"><article><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>
${action ? `<p><a href="${escapeHtml(action.href)}" role="button">${escapeHtml(action.label)}</a></p>` : ''}
</article></main></body></html>`;
}
