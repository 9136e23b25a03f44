/**
 * Runs the local stack's processes — the services, the console, Prometheus — the way Kubernetes runs
 * pods: one that exits on its own is started again after a back-off that doubles with each quick
 * failure (reset once it has run for a while), and the supervisor says so. Only terminate() (a stop,
 * a rolling restart or a scale-in) ends a process for good.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface RestartPolicy {
  /** First wait after an unexpected exit. */
  initialMs: number;
  /** The longest wait. */
  maxMs: number;
  /** A process that ran at least this long before exiting starts over from initialMs. */
  resetAfterMs: number;
}

/** Kubernetes' CrashLoopBackOff shape, scaled to a laptop: 1 s, 2 s, 4 s … 30 s. */
export const defaultRestartPolicy: RestartPolicy = { initialMs: 1000, maxMs: 30_000, resetAfterMs: 60_000 };

export type RestartEvent =
  | {
      phase: 'exited';
      service: string;
      replica: number;
      code: number | null;
      signal: NodeJS.Signals | null;
      delayMs: number;
      restarts: number;
    }
  | { phase: 'ready'; service: string; replica: number; pid: number; restarts: number; downMs: number };

/** How to start one process. */
export interface Launch {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Written to its standard input, which is then closed (the one-process mode's services and their credentials). */
  input?: string;
}

export interface Supervised {
  readonly service: string;
  readonly replica: number;
  readonly port: number;
  /** Each answers 2xx once the process is ready (several: one process hosting several services). */
  readonly readyUrls: readonly string[];
  child: ChildProcess | undefined;
  startedAt: number;
  restarts: number;
  backoffMs: number;
  /** Set when the stack itself ends the process (stop, restart, scale-in): no restart then. */
  retiring: boolean;
  pendingRestart: NodeJS.Timeout | undefined;
  readonly launch: () => Launch;
}

export interface SupervisorOptions {
  restart: RestartPolicy | false;
  onLine?: (service: string, line: string) => void;
  /** Called when a process exits on its own. */
  onExit?: (service: string, code: number | null, signal: NodeJS.Signals | null) => void;
  onRestart: (event: RestartEvent) => void;
}

export function supervisor({ restart, onLine, onExit, onRestart }: SupervisorOptions) {
  let stopping = false;

  const spawnProcess = (p: Supervised) => {
    const { command, args, env, input } = p.launch();
    const child = spawn(command, args, { env, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    child.stdin?.on('error', () => undefined); // exited before reading it: its exit says why
    child.stdin?.end(input);
    p.child = child;
    p.startedAt = Date.now();
    for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream! }).on('line', (line) => onLine?.(p.service, line));
    child.on('error', (err) => onLine?.(p.service, `cannot start ${command}: ${err.message}`));
    child.on('exit', (code, signal) => {
      if (p.child === child) p.child = undefined;
      if (stopping || p.retiring) return;
      onExit?.(p.service, code, signal);
      if (!restart) return;
      const ranMs = Date.now() - p.startedAt;
      p.backoffMs = ranMs >= restart.resetAfterMs || p.backoffMs === 0 ? restart.initialMs : Math.min(p.backoffMs * 2, restart.maxMs);
      p.restarts++;
      const exitedAt = Date.now();
      onRestart({ phase: 'exited', service: p.service, replica: p.replica, code, signal, delayMs: p.backoffMs, restarts: p.restarts });
      p.pendingRestart = setTimeout(() => {
        p.pendingRestart = undefined;
        if (stopping || p.retiring) return;
        spawnProcess(p);
        const started = p.child;
        void waitReady(p, () => p.child === started && started !== undefined, 120_000).then(
          () =>
            onRestart({
              phase: 'ready',
              service: p.service,
              replica: p.replica,
              pid: started?.pid ?? 0,
              restarts: p.restarts,
              downMs: Date.now() - exitedAt,
            }),
          () => undefined, // exited again: its own exit handler schedules the next attempt
        );
      }, p.backoffMs);
    });
  };

  return {
    /** Starts a process (not waiting for it to be ready). */
    start(service: string, replica: number, port: number, readyUrls: readonly string[], launch: () => Launch): Supervised {
      const p: Supervised = {
        service,
        replica,
        port,
        readyUrls,
        launch,
        child: undefined,
        startedAt: 0,
        restarts: 0,
        backoffMs: 0,
        retiring: false,
        pendingRestart: undefined,
      };
      spawnProcess(p);
      return p;
    },

    /** SIGTERM and wait for the exit; SIGKILL after the grace period. No restart follows. */
    terminate(p: Supervised, graceMs: number): Promise<void> {
      return new Promise<void>((resolve) => {
        p.retiring = true;
        if (p.pendingRestart) clearTimeout(p.pendingRestart);
        const c = p.child;
        if (!c || c.exitCode !== null || c.signalCode !== null) return resolve();
        const timer = setTimeout(() => c.kill('SIGKILL'), graceMs);
        c.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        c.kill('SIGTERM');
      });
    },

    /** Starts a terminated process again and waits until it is ready. */
    async respawn(p: Supervised): Promise<void> {
      p.retiring = false;
      p.backoffMs = 0;
      spawnProcess(p);
      const started = p.child;
      await waitReady(p, () => p.child === started, 120_000);
    },

    /** From now on no exit is restarted. */
    stopping() {
      stopping = true;
    },
  };
}

/** Waits until the process answers all its ready URLs; rejects when `alive` turns false or time runs out. */
export async function waitReady(p: Supervised, alive: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(p.readyUrls);
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`${p.service} exited during start-up`);
    for (const url of pending) {
      try {
        if ((await fetch(url, { signal: AbortSignal.timeout(2000) })).ok) pending.delete(url);
      } catch {
        // not listening yet
      }
    }
    if (pending.size === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${p.service} was not ready within ${timeoutMs / 1000} s`);
}

export function describeRestart(e: RestartEvent): string {
  const who = e.replica === 0 ? e.service : `${e.service}#${e.replica}`;
  if (e.phase === 'exited') {
    return `▸ ${who} exited unexpectedly (${e.signal ?? `code ${e.code}`}); restarting in ${(e.delayMs / 1000).toFixed(1)} s (restart ${e.restarts})`;
  }
  return `▸ ${who} restarted (pid ${e.pid}, restart ${e.restarts}) and ready after ${(e.downMs / 1000).toFixed(1)} s`;
}
