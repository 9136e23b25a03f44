import type { Subscription } from '@orderly/events';

/** Message ids the old stream handed over before the probe learnt their markers (a moment's worth). */
const recentKept = 10_000;
const keyOf = (exchange: string, routingKey: string) => `${exchange} ${routingKey}`;

/**
 * Per subscription of a moving reader, the new stream's first message of it (its marker) and when
 * the old stream handed that message over. Per subscription, because each of the new stream's
 * bindings may have been made at its own moment (the Topology Operator reconciles each Binding on
 * its own): a message of one kind after its marker is in the new stream, whatever the other kinds.
 */
export class MoveMarkers {
  readonly #keys: Set<string>;
  readonly #markers = new Map<string, string>();
  readonly #passedAt = new Map<string, number>();
  #recent: string[] = [];

  constructor(subscriptions: readonly Subscription[]) {
    this.#keys = new Set(subscriptions.map((s) => keyOf(s.exchange, s.routingKey)));
  }

  /** Whether the probe still needs the new stream's messages: some subscription has no marker yet. */
  get learning(): boolean {
    return this.#markers.size < this.#keys.size;
  }

  /** A message of the new stream, in order: the first of each subscription becomes its marker. */
  learn(exchange: string, routingKey: string, messageId: string): void {
    const key = keyOf(exchange, routingKey);
    if (!this.#keys.has(key) || this.#markers.has(key)) return;
    this.#markers.set(key, messageId);
    if (this.#recent.includes(messageId)) this.#passedAt.set(key, Date.now());
    if (!this.learning) this.#recent = [];
  }

  /** Message ids the old stream handed over (their batch committed). */
  passed(ids: readonly string[]): void {
    for (const [key, id] of this.#markers) if (!this.#passedAt.has(key) && ids.includes(id)) this.#passedAt.set(key, Date.now());
    if (this.learning) this.#recent = [...this.#recent, ...ids].slice(-recentKept);
  }

  /** Markers known and not seen going past (a restart may have passed them: the caller asks the inbox). */
  unpassed(): string[] {
    return [...this.#markers].filter(([key]) => !this.#passedAt.has(key)).map(([, id]) => id);
  }

  /** When the last marker went past, once every subscription's has. */
  allPassedAt(): number | undefined {
    if (this.learning || this.#passedAt.size < this.#keys.size) return undefined;
    return Math.max(...this.#passedAt.values());
  }
}
