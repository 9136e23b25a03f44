/**
 * Readiness as the orchestrator sees it: false while starting and again once draining begins, and
 * false while any registered check fails (a publisher without a channel, a relay that keeps
 * failing): a replica that cannot do its work says so instead of taking traffic.
 */
export class Lifecycle {
  #state: 'starting' | 'ready' | 'draining' = 'starting';
  #checks = new Map<string, () => boolean>();

  get ready(): boolean {
    return this.#state === 'ready' && this.failing().length === 0;
  }
  /** The names of the checks that fail now. */
  failing(): string[] {
    return [...this.#checks].filter(([, ok]) => !ok()).map(([name]) => name);
  }
  addCheck(name: string, ok: () => boolean): void {
    this.#checks.set(name, ok);
  }
  markReady(): void {
    if (this.#state === 'starting') this.#state = 'ready';
  }
  markDraining(): void {
    this.#state = 'draining';
  }
}
