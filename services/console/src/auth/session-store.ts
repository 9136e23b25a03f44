import { createHmac, randomBytes } from 'node:crypto';
import type { Caller } from '@orderly/platform';

/** A signed-in operator: who they are and the access token the console calls the services with. */
export interface Session {
  caller: Caller & { kind: 'operator' };
  accessToken: string;
  /** When the access token expires (ms since the epoch): the session ends with it. */
  expiresAt: number;
}

/**
 * Sessions in memory, keyed by an HMAC of the cookie's random id with CONSOLE_SESSION_SECRET: the
 * store holds nothing that works as a cookie, and a forged id finds nothing. A restart signs
 * everyone out (docs/console.md). Expired sessions are dropped when read and whenever a session is created, so the map holds at
 * most the sign-ins of one token lifetime.
 */
export class SessionStore {
  readonly #sessions = new Map<string, Session>();
  readonly #secret: string;
  readonly #now: () => number;

  constructor(secret: string, now: () => number = Date.now) {
    this.#secret = secret;
    this.#now = now;
  }

  #key(id: string): string {
    return createHmac('sha256', this.#secret).update(id).digest('base64url');
  }

  /** Stores a session; returns the cookie's value (256 random bits). */
  create(session: Session): string {
    this.sweep();
    const id = randomBytes(32).toString('base64url');
    this.#sessions.set(this.#key(id), session);
    return id;
  }

  get(id: string | undefined): Session | undefined {
    if (!id || id.length > 100) return undefined;
    const key = this.#key(id);
    const session = this.#sessions.get(key);
    if (session && session.expiresAt <= this.#now()) {
      this.#sessions.delete(key);
      return undefined;
    }
    return session;
  }

  delete(id: string | undefined): void {
    if (id && id.length <= 100) this.#sessions.delete(this.#key(id));
  }

  /** Drops every expired session; returns how many are left. */
  sweep(): number {
    const now = this.#now();
    for (const [key, s] of this.#sessions) if (s.expiresAt <= now) this.#sessions.delete(key);
    return this.#sessions.size;
  }

  get size(): number {
    return this.#sessions.size;
  }
}
