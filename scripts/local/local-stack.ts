/**
 * Runs every service as its own process from the built output (what ships), with the tracing
 * register hook loaded first. Used by `npm start`, the demo and the benchmark.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { baseUrl, localDefaults, services } from './services.ts';

const root = new URL('../..', import.meta.url).pathname;

export interface LocalStackOptions {
  env?: Record<string, string>;
  /** Called with each service's log lines; omit to drop them. */
  onLine?: (service: string, index: number, line: string) => void;
  /** Called when a service exits on its own (not through stop()). */
  onExit?: (service: string, code: number | null, signal: NodeJS.Signals | null) => void;
}

export interface LocalStack {
  pids(): Record<string, number>;
  /** SIGTERM and wait (each service drains); SIGKILL whatever is still running after the grace period. */
  stop(graceMs?: number): Promise<void>;
  /** Synchronous SIGKILL of whatever still runs: for a process 'exit' handler. */
  kill(): void;
}

export async function startLocalStack({ env = {}, onLine, onExit }: LocalStackOptions = {}): Promise<LocalStack> {
  const children = new Map<string, ChildProcess>();
  let stopping = false;
  const register = `${root}services/lib/platform/dist/src/telemetry/register.js`;
  services.forEach(({ name, port }, i) => {
    const main = `${root}services/${name}/dist/src/main.js`;
    if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build`);
    const child = spawn(process.execPath, ['--import', register, main], {
      env: {
        ...localDefaults,
        // Spans get ids (for logs, exemplars and the audit log) but go nowhere unless a collector is named.
        ...(process.env.OTEL_EXPORTER_OTLP_ENDPOINT ? {} : { OTEL_TRACES_EXPORTER: 'none' }),
        OTEL_METRICS_EXPORTER: 'none',
        OTEL_LOGS_EXPORTER: 'none',
        ...process.env,
        ...env,
        PORT: String(port),
        OTEL_SERVICE_NAME: `orderly-${name}`,
        ...(name === 'inventory' ? { SEED_DEMO_CATALOGUE: 'true' } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream! }).on('line', (line) => onLine?.(name, i, line));
    }
    child.on('exit', (code, signal) => {
      children.delete(name);
      if (!stopping) onExit?.(name, code, signal);
    });
    children.set(name, child);
  });

  const stop = async (graceMs = 25_000) => {
    stopping = true;
    await Promise.all(
      [...children.values()].map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null) return resolve();
            const timer = setTimeout(() => c.kill('SIGKILL'), graceMs);
            c.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            c.kill('SIGTERM');
          }),
      ),
    );
  };
  const kill = () => {
    for (const c of children.values()) c.kill('SIGKILL');
  };

  try {
    await Promise.all(services.map((s) => waitReady(s.name, () => children.has(s.name))));
  } catch (err) {
    await stop();
    throw err;
  }
  return { pids: () => Object.fromEntries([...children].map(([n, c]) => [n, c.pid ?? 0])), stop, kill };
}

async function waitReady(name: string, alive: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`${name} exited during start-up`);
    try {
      if ((await fetch(`${baseUrl(name)}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} was not ready within ${timeoutMs / 1000} s`);
}

/** Whether something answers where the order service would (a wedged listener counts as not running). */
export async function stackRunning(): Promise<boolean> {
  try {
    return (await fetch(`${baseUrl('order')}/healthz`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}
