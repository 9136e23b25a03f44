import { hkdfSync } from 'node:crypto';
import { EncryptJWT, jwtDecrypt } from 'jose';
import { z } from 'zod';
import type { PendingLogin } from './oidc-client.js';

const pendingLogin = z.object({
  state: z.string().min(1),
  codeVerifier: z.string().min(1),
  nonce: z.string().min(1),
  returnTo: z.string(),
});

/** Longer than any JWE of a pending login (about 1 kB with the longest return path): anything else is not ours. */
const maxCookieLength = 2048;

/**
 * A sign-in under way, carried by the browser that started it: state, nonce, PKCE verifier and the
 * path to return to, encrypted and authenticated (JWE `dir` + A256GCM through jose, with a key
 * derived from CONSOLE_SESSION_SECRET) in the login cookie, for ten minutes. The console keeps
 * nothing per sign-in, so no number of anonymous `/auth/login` can push out an operator's: a shared,
 * capped list of them could be flushed by 10,000 requests in 8 s. The browser
 * can neither read the verifier nor change what the callback checks, and a cookie from another
 * secret, altered or expired opens to nothing. Its one use: the callback clears the cookie, and
 * the provider redeems a code once.
 */
export class LoginCookie {
  readonly #key: Uint8Array;

  constructor(
    secret: string,
    readonly ttlS = 600,
    private readonly now: () => number = Date.now,
  ) {
    // Its own key, not the session store's HMAC key: one secret, two purposes kept apart (HKDF, RFC 5869).
    this.#key = new Uint8Array(hkdfSync('sha256', secret, new Uint8Array(0), 'orderly-console pending login', 32));
  }

  seal(login: PendingLogin): Promise<string> {
    const iat = Math.floor(this.now() / 1000);
    return new EncryptJWT({ login })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.ttlS)
      .encrypt(this.#key);
  }

  /** The pending sign-in in the cookie, or undefined for none, a forged, altered or expired one. */
  async open(value: string | undefined): Promise<PendingLogin | undefined> {
    if (!value || value.length > maxCookieLength) return undefined;
    try {
      const { payload } = await jwtDecrypt(value, this.#key, {
        keyManagementAlgorithms: ['dir'],
        contentEncryptionAlgorithms: ['A256GCM'],
        currentDate: new Date(this.now()),
        requiredClaims: ['exp'],
      });
      const parsed = pendingLogin.safeParse(payload.login);
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }
}
