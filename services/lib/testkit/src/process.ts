import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@orderly/platform/testing';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

export interface ServiceProcess {
  port: number;
  child: ChildProcess;
  output: () => string;
  /** Sends the signal and resolves with the exit code. */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs a service as its own OS process, as in production: the only way to test signals and the
 * tracing entry point for real. `built` runs the compiled output with the telemetry register hook
 * loaded first, exactly as the container does (needs `npm run build`).
 */
export async function spawnService(name: string, env: Record<string, string>, { built = false } = {}): Promise<ServiceProcess> {
  const port = await freePort();
  const args = built
    ? ['--import', join(root, 'services/lib/platform/dist/src/telemetry/register.js'), join(root, 'services', name, 'dist/src/main.js')]
    : ['--conditions=source', '--import', 'tsx', join(root, 'services', name, 'src', 'main.ts')];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${output}`);
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      return res.ok ? true : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 100, what: `${name} to be ready` },
  );
  return {
    port,
    child,
    output: () => output,
    kill: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
