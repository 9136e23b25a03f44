import { z } from 'zod';
import { demoAccounts, parseAccounts } from './accounts.js';

/** {"C100":"…","ops":"…"}: each demo account's own password. */
const accountPasswords = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object: {"<account>":"<password>",…}' });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string().min(1), z.string().min(12, 'each password must be at least 12 characters')));

/**
 * The demo provider's settings, from the environment. Secrets (the tools client's secret, the
 * accounts' passwords) have no default: the local stack generates them, the chart takes them from a
 * Secret.
 */
export const identityConfigSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(8090),
    /** Where it listens: loopback locally; 0.0.0.0 in a pod. */
    HOST: z.string().min(1).default('127.0.0.1'),
    /** The issuer URL, exactly as tokens carry it and clients reach it. */
    IDP_ISSUER: z.url({ protocol: /^https?$/ }),
    /** The API's resource indicator: the audience of every access token. */
    IDP_AUDIENCE: z.string().min(1).default('urn:orderly:api'),
    /** Secret of the confidential client `orderly-tools` (client credentials, operator role). */
    IDP_TOOLS_CLIENT_SECRET: z.string().min(32, 'must be at least 32 characters'),
    /** Each demo account's password, as JSON {"<account>":"<password>"}: one per account, no two alike. */
    IDP_ACCOUNT_PASSWORDS: accountPasswords,
    /** The demo accounts: id:email[:role], comma-separated. */
    IDP_ACCOUNTS: z.string().default(demoAccounts),
    /** Extra redirect URIs of the browser client `orderly-web` (comma-separated), e.g. a front end's callback. */
    IDP_WEB_REDIRECT_URIS: z.string().default(''),
    /** The signing key (a private key in PEM, or a private JWK as JSON), so tokens outlive a restart; generated per start when unset. */
    IDP_SIGNING_KEY: z.string().min(1).optional(),
    /** Exit when standard input closes: a child of the local stack does not outlive it (never set in a pod). */
    IDP_EXIT_WITH_STDIN: z.stringbool().default(false),
    /** New authorization requests (sign-ins started) one client address may make per minute; more are 429. */
    IDP_SIGN_INS_PER_ADDRESS_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(60),
    /** Sign-ins in progress (interactions, ten minutes each) beyond which new ones are refused (503), never older ones forgotten. */
    IDP_MAX_SIGN_INS_IN_PROGRESS: z.coerce.number().int().min(10).max(1_000_000).default(10_000),
    /** Access token lifetime. */
    IDP_ACCESS_TOKEN_TTL_S: z.coerce.number().int().min(60).max(86_400).default(900),
  })
  .superRefine((config, ctx) => {
    // One password for every account let a customer's password sign in as the operator.
    const issue = (message: string) => ctx.addIssue({ code: 'custom', path: ['IDP_ACCOUNT_PASSWORDS'], message });
    let accounts: string[];
    try {
      accounts = parseAccounts(config.IDP_ACCOUNTS).map((a) => a.id);
    } catch (err) {
      return ctx.addIssue({ code: 'custom', path: ['IDP_ACCOUNTS'], message: (err as Error).message });
    }
    const missing = accounts.filter((id) => !Object.hasOwn(config.IDP_ACCOUNT_PASSWORDS, id));
    if (missing.length > 0) issue(`no password for ${missing.join(', ')}`);
    const owners = new Map<string, string>();
    for (const id of accounts) {
      const password = config.IDP_ACCOUNT_PASSWORDS[id];
      if (password === undefined) continue;
      const other = owners.get(password);
      if (other) issue(`${other} and ${id} have the same password: each account needs its own`);
      owners.set(password, id);
    }
  });
export type IdentityConfig = z.infer<typeof identityConfigSchema>;
