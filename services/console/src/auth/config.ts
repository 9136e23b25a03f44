import { z } from 'zod';

/**
 * The sign-in's settings, part of the console's configuration schema (src/config.ts). The
 * provider's issuer and the API's audience are the platform's AUTH_ISSUER and AUTH_AUDIENCE.
 */
export const authConfigShape = {
  /** The browser-facing origin of the console: the OpenID Connect redirect is `${CONSOLE_PUBLIC_URL}/auth/callback`,
   * cookies are Secure when it is https, and a state-changing request's Origin must be it. */
  CONSOLE_PUBLIC_URL: z
    .url({ protocol: /^https?$/ })
    .refine((u) => new URL(u).pathname === '/' && !new URL(u).search, 'an origin, without a path: https://console.example.com')
    .transform((u) => new URL(u).origin),
  /** Keys the in-memory session store (an HMAC of each cookie's id) and seals the sign-in under way in its cookie
   * (a key derived from it); ≥ 32 characters, no default. */
  CONSOLE_SESSION_SECRET: z.string().min(32, 'must be at least 32 characters'),
  /** The console's public client at the provider (authorization code + PKCE). */
  CONSOLE_OIDC_CLIENT_ID: z.string().min(1).default('orderly-web'),
  /** Scopes the console asks for: the API's scope at the provider gives the access token its audience and roles
   * (Entra ID: `openid api://<API app>/<scope>`). */
  CONSOLE_OIDC_SCOPE: z.string().min(1).default('openid email orderly'),
  /** The resource indicator (RFC 8707) sent with the sign-in; unset: AUTH_AUDIENCE (the demo provider needs it for a
   * JWT access token); `none`: no resource parameter, for providers that refuse it (Entra ID's v2.0 endpoints). */
  CONSOLE_OIDC_RESOURCE: z
    .union([z.literal('none'), z.string().refine((u) => URL.canParse(u), 'an absolute URI (RFC 8707), or none')])
    .optional(),
};

/** The resource indicator the console sends, if any. */
export function oidcResource(config: { CONSOLE_OIDC_RESOURCE?: string | undefined; AUTH_AUDIENCE: string }): string | undefined {
  if (config.CONSOLE_OIDC_RESOURCE === 'none') return undefined;
  return config.CONSOLE_OIDC_RESOURCE ?? config.AUTH_AUDIENCE;
}

export type AuthConfig = z.infer<z.ZodObject<typeof authConfigShape>>;
