import { backoffDelay } from './backoff.js';
import type { Logger } from './logger.js';

/**
 * What a tick found: more work waiting now (tick again at once), nothing more for now (tick again
 * after everyMs), or nothing until idleMs from now (a timer's due time, known to the tick).
 */
export type TickResult = 'more' | 'idle' | { idleMs: number };

export interface PollLoopOptions {
  /** Names the loop in the log line of a failed tick. */
  name: string;
  /** The wait after a tick that found nothing more to do. */
  everyMs: number;
  logger: Logger;
  /** The longest wait after failed ticks in a row; from everyMs it doubles per failure, with jitter. */
  maxBackoffMs?: number;
  /**
   * The shortest wait after a tick that did not ask for more (wakeWithin included; wake() excepted):
   * work falling due meanwhile waits for one tick that takes it all, instead of a tick each.
   */
  minGapMs?: number;
}

/**
 * Runs one tick at a time: at start, then everyMs after a tick that found nothing more, at once
 * after one that did. A tick that throws is logged and the loop backs off. wake() ends the wait
 * early, or, during a tick, makes the next one follow at once: work may have come in that the
 * running tick did not see. stop() lets the running tick finish (its signal says to take no new
 * work) and resolves when it has.
 */
export class PollLoop {
  readonly #stopped = new AbortController();
  #running: Promise<void> | undefined;
  #endWait: (() => void) | undefined;
  #woken = false;
  /** When work announced by wakeWithin during a tick becomes due (epoch ms). */
  #dueBy = Number.POSITIVE_INFINITY;
  #rearm: ((ms: number) => void) | undefined;

  constructor(
    private readonly tick: (signal: AbortSignal) => Promise<TickResult>,
    private readonly options: PollLoopOptions,
  ) {}

  async start(): Promise<void> {
    this.#running ??= this.#run();
  }

  wake(): void {
    this.#woken = true;
    this.#endWait?.();
  }

  /**
   * Work becomes due in ms (a timer just scheduled): the wait ends by then at the latest. During a
   * tick, the wait that follows it does.
   */
  wakeWithin(ms: number): void {
    if (this.#rearm) this.#rearm(ms);
    else this.#dueBy = Math.min(this.#dueBy, Date.now() + ms);
  }

  async stop(): Promise<void> {
    this.#stopped.abort();
    this.#endWait?.();
    await this.#running;
  }

  async #run(): Promise<void> {
    const { signal } = this.#stopped;
    const { name, everyMs, logger, maxBackoffMs = 15_000, minGapMs = 0 } = this.options;
    let failures = 0;
    while (!signal.aborted) {
      this.#woken = false;
      this.#dueBy = Number.POSITIVE_INFINITY;
      let result: TickResult = 'idle';
      try {
        result = await this.tick(signal);
        failures = 0;
      } catch (err) {
        failures += 1;
        logger.warn({ err, failures }, `${name} failed; will retry`);
      }
      if (signal.aborted) return;
      if (failures === 0 && (result === 'more' || this.#woken)) continue;
      // Attempt failures + 1: the first failure already waits up to twice the interval.
      const idleMs = typeof result === 'object' ? Math.max(0, result.idleMs) : everyMs;
      const waitMs = failures === 0 ? idleMs : backoffDelay(failures + 1, everyMs, maxBackoffMs);
      await this.#wait(Math.max(minGapMs, Math.min(waitMs, this.#dueBy - Date.now())), minGapMs);
    }
  }

  #wait(ms: number, minGapMs: number): Promise<void> {
    const earliest = Date.now() + minGapMs;
    return new Promise<void>((resolve) => {
      let endsAt = Date.now() + ms;
      let timer = setTimeout(resolve, ms);
      this.#endWait = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#rearm = (ms) => {
        const sooner = Math.max(ms, earliest - Date.now());
        if (Date.now() + sooner >= endsAt) return;
        clearTimeout(timer);
        endsAt = Date.now() + sooner;
        timer = setTimeout(resolve, sooner);
      };
    }).finally(() => {
      this.#endWait = undefined;
      this.#rearm = undefined;
    });
  }
}
