import type { Adapter, AdapterPayload } from 'oidc-provider';

interface Entry {
  payload: AdapterPayload;
  /** ms since the epoch; Infinity for an entry without a lifetime. */
  expiresAt: number;
}

/**
 * The provider's state in memory (interactions, sessions, grants, codes), each model in a map of
 * its own, an entry kept until it expires or is destroyed. oidc-provider's development adapter
 * keeps every model in one LRU of 1,000 entries, so 2,200 anonymous authorization requests pushed
 * an operator's sign-in in progress out of it. Here nothing is evicted to make
 * room: what anyone can create (an interaction per authorization request) is bounded before it is
 * stored, by the per-client limit and a ceiling on live interactions (authorization-limit.ts).
 */
export class ProviderMemory {
  readonly #models = new Map<string, Map<string, Entry>>();
  #sweptAt = 0;

  constructor(
    /** How often expired entries are dropped (they are never returned once expired). */
    private readonly sweepEveryMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  #model(name: string): Map<string, Entry> {
    const entries = this.#models.get(name) ?? new Map<string, Entry>();
    this.#models.set(name, entries);
    return entries;
  }

  #sweep(): void {
    const now = this.now();
    if (now - this.#sweptAt < this.sweepEveryMs) return;
    this.#sweptAt = now;
    for (const entries of this.#models.values()) for (const [id, e] of entries) if (e.expiresAt <= now) entries.delete(id);
  }

  #live(name: string, id: string): AdapterPayload | undefined {
    const entries = this.#model(name);
    const entry = entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt > this.now()) return entry.payload;
    entries.delete(id);
    return undefined;
  }

  #findBy(name: string, test: (p: AdapterPayload) => boolean): AdapterPayload | undefined {
    for (const [id, e] of this.#model(name)) if (test(e.payload)) return this.#live(name, id);
    return undefined;
  }

  /** Entries of a model, expired ones included until the next sweep (at most sweepEveryMs late). */
  count(name: string): number {
    this.#sweep();
    return this.#model(name).size;
  }

  /** oidc-provider's `adapter` option. */
  readonly adapter = (name: string): Adapter => ({
    upsert: async (id, payload, expiresIn) => {
      this.#sweep();
      const expiresAt = typeof expiresIn === 'number' ? this.now() + expiresIn * 1000 : Number.POSITIVE_INFINITY;
      this.#model(name).set(id, { payload, expiresAt });
    },
    find: async (id) => this.#live(name, id),
    findByUid: async (uid) => this.#findBy(name, (p) => p.uid === uid),
    findByUserCode: async (userCode) => this.#findBy(name, (p) => p.userCode === userCode),
    consume: async (id) => {
      const payload = this.#live(name, id);
      if (payload) payload.consumed = Math.floor(this.now() / 1000);
    },
    destroy: async (id) => {
      this.#model(name).delete(id);
    },
    revokeByGrantId: async (grantId) => {
      for (const entries of this.#models.values()) for (const [id, e] of entries) if (e.payload.grantId === grantId) entries.delete(id);
    },
  });
}
