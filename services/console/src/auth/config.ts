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
  /** Keys the in-memory session store (an HMAC of each cookie's id); ≥ 32 characters, no default. */
  CONSOLE_SESSION_SECRET: z.string().min(32, 'must be at least 32 characters'),
  /** The console's public client at the provider (authorization code + PKCE). */
  CONSOLE_OIDC_CLIENT_ID: z.string().min(1).default('orderly-web'),
  /** Scopes the console asks for: the API's scope at the provider gives the access token its audience and roles. */
  CONSOLE_OIDC_SCOPE: z.string().min(1).default('openid email orderly'),
};

export type AuthConfig = { [K in keyof typeof authConfigShape]: z.infer<(typeof authConfigShape)[K]> };
