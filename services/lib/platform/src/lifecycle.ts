/** Readiness as the orchestrator sees it: false while starting and again once draining begins. */
export class Lifecycle {
  #state: 'starting' | 'ready' | 'draining' = 'starting';

  get ready(): boolean {
    return this.#state === 'ready';
  }
  markReady(): void {
    if (this.#state === 'starting') this.#state = 'ready';
  }
  markDraining(): void {
    this.#state = 'draining';
  }
}
