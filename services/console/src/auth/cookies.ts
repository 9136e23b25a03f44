import type { Context } from 'koa';

/**
 * The console's cookies: HttpOnly (no script reads them), SameSite=Lax (not sent on another
 * site's POST), Path=/, and Secure with the __Host- prefix when the console is served over https
 * (the browser then refuses the cookie from plain http or for another domain). Written by hand
 * rather than through koa's cookies, which refuses a Secure cookie when TLS ends at a proxy.
 */
export interface CookieJar {
  read(ctx: Context, name: CookieName): string | undefined;
  write(ctx: Context, name: CookieName, value: string, maxAgeS: number): void;
  clear(ctx: Context, name: CookieName): void;
}

export type CookieName = 'session' | 'login';

export function cookieJar(publicUrl: string): CookieJar {
  const secure = new URL(publicUrl).protocol === 'https:';
  const names: Record<CookieName, string> = {
    session: secure ? '__Host-orderly-console' : 'orderly-console',
    login: secure ? '__Host-orderly-console-login' : 'orderly-console-login',
  };
  const attributes = `Path=/; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
  const write = (ctx: Context, name: CookieName, value: string, maxAgeS: number) => {
    // base64url, or dot-separated base64url (a compact JWE): nothing that needs quoting or escaping.
    if (!/^[A-Za-z0-9_.-]*$/.test(value)) throw new Error('a cookie value is base64url');
    ctx.append('Set-Cookie', `${names[name]}=${value}; Max-Age=${Math.max(0, Math.floor(maxAgeS))}; ${attributes}`);
  };
  return {
    read: (ctx, name) => ctx.cookies.get(names[name]) || undefined,
    write,
    clear: (ctx, name) => write(ctx, name, '', 0),
  };
}
