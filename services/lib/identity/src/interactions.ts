import type { Context, Next } from 'koa';
import type Provider from 'oidc-provider';
import { type Account, passwordMatches } from './accounts.js';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const page = (uid: string, clientId: string, error?: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in to Orderly</title></head>
<body><h1>Sign in to Orderly</h1><p>${escapeHtml(clientId)} asks you to sign in (demo provider).</p>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label>Account <input name="login" autocomplete="username" required autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button></form></body></html>`;

async function formBody(ctx: Context): Promise<URLSearchParams> {
  let text = '';
  for await (const chunk of ctx.req) {
    text += chunk;
    if (text.length > 4096) ctx.throw(413);
  }
  return new URLSearchParams(text);
}

/**
 * The provider's interactions: a login page checking the account's own password, and consent
 * implied for Orderly's own clients (first-party: the grant is what they asked for).
 */
export function interactions(provider: Provider, accounts: Map<string, Account>, passwords: Readonly<Record<string, string>>) {
  return async (ctx: Context, next: Next) => {
    const match = /^\/interaction\/([A-Za-z0-9_-]+)(\/login)?$/.exec(ctx.path);
    if (!match) return next();
    ctx.set('Cache-Control', 'no-store');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Content-Security-Policy', "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    // The login form's answer ends in a redirect to the client's redirect URI (checked by the
    // provider against the client's own), and browsers apply form-action to every redirect of a
    // form's submission: without that origin, the browser blocks the sign-in's last step.
    const redirectOrigin = URL.canParse(String(details.params.redirect_uri)) ? new URL(String(details.params.redirect_uri)).origin : '';
    ctx.set('Content-Security-Policy', `default-src 'none'; form-action 'self' ${redirectOrigin}; frame-ancestors 'none'; base-uri 'none'`);
    if (details.uid !== match[1]) ctx.throw(400, 'interaction mismatch');
    const clientId = String(details.params.client_id);
    if (details.prompt.name === 'login') {
      if (ctx.method === 'POST' && match[2]) {
        const form = await formBody(ctx);
        const account = accounts.get(form.get('login') ?? '');
        const expected = account && Object.hasOwn(passwords, account.id) ? passwords[account.id] : undefined;
        if (!account || expected === undefined || !passwordMatches(form.get('password') ?? '', expected)) {
          ctx.status = 401;
          ctx.type = 'html';
          ctx.body = page(details.uid, clientId, 'Unknown account or wrong password.');
          return;
        }
        return finish(
          ctx,
          await provider.interactionResult(ctx.req, ctx.res, { login: { accountId: account.id } }, { mergeWithLastSubmission: false }),
        );
      }
      ctx.type = 'html';
      ctx.body = page(details.uid, clientId);
      return;
    }
    if (details.prompt.name === 'consent') {
      const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = details.prompt.details as {
        missingOIDCScope?: string[];
        missingOIDCClaims?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: details.session!.accountId, clientId });
      if (!grant) ctx.throw(400, 'grant not found');
      if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
      if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
      for (const [resource, scopes] of Object.entries(missingResourceScopes ?? {})) grant.addResourceScope(resource, scopes.join(' '));
      const grantId = await grant.save();
      return finish(
        ctx,
        await provider.interactionResult(
          ctx.req,
          ctx.res,
          { consent: details.grantId ? {} : { grantId } },
          { mergeWithLastSubmission: true },
        ),
      );
    }
    ctx.throw(400, `unsupported prompt ${details.prompt.name}`);
  };
}

function finish(ctx: Context, returnTo: string) {
  ctx.redirect(returnTo);
  ctx.status = 303;
}
