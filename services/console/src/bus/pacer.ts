import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Spaces out work to at most `perSecond` a second over all its callers together: each take()
 * reserves the next free slot and waits for it. Redrives go through one pacer per console, so a
 * burst of them cannot flood a queue whose consumer has only just been fixed.
 */
export class Pacer {
  #next = 0;
  readonly #intervalMs: number;

  constructor(perSecond: number) {
    this.#intervalMs = 1000 / perSecond;
  }

  async take(): Promise<void> {
    const now = performance.now();
    const slot = Math.max(now, this.#next);
    this.#next = slot + this.#intervalMs;
    if (slot > now) await sleep(slot - now);
  }
}
