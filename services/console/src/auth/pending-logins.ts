import { randomBytes } from 'node:crypto';
import type { PendingLogin } from './oidc-client.js';

/**
 * Sign-ins under way (the browser is at the provider), for at most ten minutes. Anyone may start
 * one, so the map is bounded: past the limit the oldest is forgotten (its callback then fails and
 * the operator signs in again) rather than memory growing.
 */
export class PendingLogins {
  readonly #items = new Map<string, { login: PendingLogin; expiresAt: number }>();

  constructor(
    private readonly ttlMs = 600_000,
    private readonly limit = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  add(login: PendingLogin): string {
    const id = randomBytes(24).toString('base64url');
    while (this.#items.size >= this.limit) this.#items.delete(this.#items.keys().next().value!);
    this.#items.set(id, { login, expiresAt: this.now() + this.ttlMs });
    return id;
  }

  /** The pending sign-in, once: a callback replayed with the same cookie finds nothing. */
  take(id: string | undefined): PendingLogin | undefined {
    if (!id) return undefined;
    const item = this.#items.get(id);
    this.#items.delete(id);
    return item && item.expiresAt > this.now() ? item.login : undefined;
  }

  get ttlS(): number {
    return this.ttlMs / 1000;
  }
}
