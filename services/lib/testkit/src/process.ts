import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@orderly/platform/testing';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

/**
 * A port nothing listens on now, below the kernel's ephemeral range. A port the kernel hands out
 * (listen on 0) is free only until an outgoing connection takes it as its own local port: a server
 * started on it a moment later then fails with EADDRINUSE, as a chaos run's service once did.
 */
export async function freePort(): Promise<number> {
  const to = Math.min(ephemeralPorts().low, 32_768) - 1;
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = lowestPort + Math.floor(Math.random() * (to - lowestPort + 1));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port between ${lowestPort} and ${to}`);
}

/** Above the ports of common servers and tools (this project's own among them). */
const lowestPort = 20_000;

/** The kernel's range for outgoing connections' local ports (Linux's default where it cannot be read). */
export function ephemeralPorts(): { low: number; high: number } {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low && high) return { low, high };
  } catch {
    // not Linux
  }
  return { low: 32_768, high: 60_999 };
}

/** Whether a server may listen on the port on every address, as the services do (`::`, dual stack). */
async function canListen(port: number): Promise<boolean> {
  const server = createServer();
  try {
    server.listen(port);
    await once(server, 'listening');
    return true;
  } catch {
    return false;
  } finally {
    await new Promise((r) => server.close(r));
  }
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
