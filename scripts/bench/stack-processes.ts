/**
 * Starts the local stack as child processes (the same way scripts/stack.ts does: built output,
 * telemetry register hook, localDefaults), waits until every service is ready and returns their
 * pids with a stop() that drains them with SIGTERM (SIGKILL after a grace period). Logs go to a file.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { localDefaults, services } from '../lib/services.ts';

export interface RunningStack {
  pids: Record<string, number>;
  stop(): Promise<void>;
  /** Synchronous SIGKILL of whatever is still running (for process 'exit'). */
  kill(): void;
}

const root = new URL('../..', import.meta.url).pathname;

export async function startStack(options: {
  logFile: string;
  env?: Record<string, string>;
  readyTimeoutMs?: number;
}): Promise<RunningStack> {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const children = new Map<string, ChildProcess>();
  const exited = new Map<string, string>();
  const register = `${root}services/platform/dist/src/telemetry/register.js`;
  for (const { name, port } of services) {
    const main = `${root}services/${name}/dist/src/main.js`;
    if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build`);
    const child = spawn(process.execPath, [...(existsSync(register) ? ['--import', register] : []), main], {
      env: {
        ...localDefaults,
        ...process.env,
        ...options.env,
        PORT: String(port),
        OTEL_SERVICE_NAME: `orderly-${name}`,
        ...(name === 'inventory' ? { SEED_DEMO_CATALOGUE: 'true' } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk: Buffer) => log.write(`${name} │ ${chunk}`));
    child.on('exit', (code, signal) => {
      children.delete(name);
      exited.set(name, String(signal ?? code));
    });
    children.set(name, child);
  }

  const kill = () => {
    for (const c of children.values()) c.kill('SIGKILL');
  };
  const stop = async () => {
    await Promise.all(
      [...children.values()].map(
        (c) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => c.kill('SIGKILL'), 25_000);
            c.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            c.kill('SIGTERM');
          }),
      ),
    );
    await new Promise<void>((resolve) => log.end(resolve));
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  try {
    for (const { name, port } of services) {
      for (;;) {
        if (exited.has(name)) throw new Error(`${name} exited during start-up (${exited.get(name)}); see ${options.logFile}`);
        if (Date.now() > deadline) throw new Error(`${name} was not ready in time; see ${options.logFile}`);
        const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) break;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const pids = Object.fromEntries([...children].map(([name, c]) => [name, c.pid as number]));
  return { pids, stop, kill };
}
