import { z } from 'zod';

/**
 * The demo provider's settings, from the environment. Secrets (the tools client's secret, the demo
 * password) have no default: the local stack generates them, the chart takes them from a Secret.
 */
export const identityConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8090),
  /** Where it listens: loopback locally; 0.0.0.0 in a pod. */
  HOST: z.string().min(1).default('127.0.0.1'),
  /** The issuer URL, exactly as tokens carry it and clients reach it. */
  IDP_ISSUER: z.url({ protocol: /^https?$/ }),
  /** The API's resource indicator: the audience of every access token. */
  IDP_AUDIENCE: z.string().min(1).default('urn:orderly:api'),
  /** Secret of the confidential client `orderly-tools` (client credentials, operator role). */
  IDP_TOOLS_CLIENT_SECRET: z.string().min(32, 'must be at least 32 characters'),
  /** The password of every demo account. */
  IDP_DEMO_PASSWORD: z.string().min(12, 'must be at least 12 characters'),
  /** The demo accounts: id:email[:role], comma-separated. */
  IDP_ACCOUNTS: z.string().default('C100:c100@example.com,C200:c200@example.com,ops:ops@orderly.example:orderly-operator'),
  /** Extra redirect URIs of the browser client `orderly-web` (comma-separated), e.g. a front end's callback. */
  IDP_WEB_REDIRECT_URIS: z.string().default(''),
  /** The signing key (a private key in PEM, or a private JWK as JSON), so tokens outlive a restart; generated per start when unset. */
  IDP_SIGNING_KEY: z.string().min(1).optional(),
  /** Exit when standard input closes: a child of the local stack does not outlive it (never set in a pod). */
  IDP_EXIT_WITH_STDIN: z.stringbool().default(false),
  /** Access token lifetime. */
  IDP_ACCESS_TOKEN_TTL_S: z.coerce.number().int().min(60).max(86_400).default(900),
});
export type IdentityConfig = z.infer<typeof identityConfigSchema>;
