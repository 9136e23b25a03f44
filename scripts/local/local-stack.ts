/**
 * Runs every service as its own process from the built output (what ships), with the tracing
 * register hook loaded first. Used by `npm start`, the demo, the benchmark and the chaos harness.
 *
 * A service that exits on its own is treated the way Kubernetes treats a pod: it is started again
 * after a back-off that doubles with each quick failure (reset once it has run for a while), and
 * the stack says so. Only stop(), a rolling restart() or a scale-in end a service for good.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { localServiceEnv } from './credentials.ts';
import { startLocalIdentity } from './identity.ts';
import { baseUrl, localDefaults, services } from './services.ts';

const root = new URL('../..', import.meta.url).pathname;

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

export interface LocalStackOptions {
  env?: Record<string, string>;
  /** Each service as its own broker user and database role, the topology declared first as administrator
   * (credentials.ts; scripts/setup.sh made them). false: the caller's env names each service's own. */
  credentials?: boolean;
  /** Per-service environment on top of env (the chaos harness points each service at its own proxies). */
  serviceEnv?: (service: string) => Record<string, string>;
  /** HTTP ports of the first instance of each service (default: the ones in services.ts). */
  ports?: Record<string, number>;
  /** Called with each service's log lines; omit to drop them. */
  onLine?: (service: string, index: number, line: string) => void;
  /** Called when a service exits on its own (not through stop(), restart() or scale()). */
  onExit?: (service: string, code: number | null, signal: NodeJS.Signals | null) => void;
  /** How an unexpected exit is restarted; false: not at all. */
  restart?: RestartPolicy | false;
  /** What the stack says about a restart; by default a line on stderr. */
  onRestart?: (event: RestartEvent) => void;
}

export interface InstanceInfo {
  service: string;
  replica: number;
  pid: number;
  port: number;
}

export interface LocalStack {
  pids(): Record<string, number>;
  instances(): InstanceInfo[];
  /** Where a service's first instance answers. */
  url(service: string): string;
  /** Sends a signal to one instance; if it exits, that counts as unexpected and is restarted. */
  signal(service: string, signal: NodeJS.Signals, replica?: number): boolean;
  /** Rolling restart of one instance: SIGTERM, wait for it to drain and exit, start it again, wait until ready. */
  restart(service: string, replica?: number): Promise<void>;
  /** Runs `count` instances of a service: starts replicas (waiting until ready) or SIGTERMs the newest. */
  scale(service: string, count: number): Promise<void>;
  /** Waits until every instance of every service is running and ready. */
  ready(timeoutMs?: number): Promise<void>;
  /** SIGTERM and wait (each service drains); SIGKILL whatever is still running after the grace period. */
  stop(graceMs?: number): Promise<void>;
  /** Synchronous SIGKILL of whatever still runs: for a process 'exit' handler. */
  kill(): void;
}

interface Instance {
  service: string;
  replica: number;
  port: number;
  child: ChildProcess | undefined;
  startedAt: number;
  restarts: number;
  backoffMs: number;
  /** Set when the stack itself ends the process (stop, restart, scale-in): no restart then. */
  retiring: boolean;
  pendingRestart: NodeJS.Timeout | undefined;
}

export async function startLocalStack({
  env = {},
  credentials = true,
  serviceEnv,
  ports = {},
  onLine,
  onExit,
  restart = defaultRestartPolicy,
  onRestart = (e) => console.error(describeRestart(e)),
}: LocalStackOptions = {}): Promise<LocalStack> {
  // The demo identity provider first (unless AUTH_ISSUER names another): the services trust its tokens.
  const identity =
    (env.AUTH_ISSUER ?? process.env.AUTH_ISSUER)
      ? undefined
      : await startLocalIdentity((line) => onLine?.('identity', services.length, line));
  if (identity) env = { ...identity.env, ...env };
  const own = credentials ? await localServiceEnv(env) : () => ({});
  const instances = new Map<string, Instance[]>();
  let stopping = false;
  const register = `${root}services/lib/platform/dist/src/telemetry/register.js`;
  const portOf = (name: string) => ports[name] ?? services.find((s) => s.name === name)!.port;
  const urlOf = (name: string) => (ports[name] ? `http://127.0.0.1:${ports[name]}` : baseUrl(name));
  const indexOf = (name: string) => services.findIndex((s) => s.name === name);

  const spawnInstance = (inst: Instance) => {
    const { service: name } = inst;
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
        ...own(name),
        ...serviceEnv?.(name),
        PORT: String(inst.port),
        OTEL_SERVICE_NAME: `orderly-${name}`,
        ...(name === 'inventory' ? { SEED_DEMO_CATALOGUE: 'true' } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    inst.child = child;
    inst.startedAt = Date.now();
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream! }).on('line', (line) => onLine?.(name, indexOf(name), line));
    }
    child.on('exit', (code, signal) => {
      if (inst.child === child) inst.child = undefined;
      if (stopping || inst.retiring) return;
      onExit?.(name, code, signal);
      if (!restart) return;
      const ranMs = Date.now() - inst.startedAt;
      inst.backoffMs =
        ranMs >= restart.resetAfterMs || inst.backoffMs === 0 ? restart.initialMs : Math.min(inst.backoffMs * 2, restart.maxMs);
      inst.restarts++;
      const exitedAt = Date.now();
      onRestart({ phase: 'exited', service: name, replica: inst.replica, code, signal, delayMs: inst.backoffMs, restarts: inst.restarts });
      inst.pendingRestart = setTimeout(() => {
        inst.pendingRestart = undefined;
        if (stopping || inst.retiring) return;
        spawnInstance(inst);
        const started = inst.child;
        void waitReady(name, inst.port, () => inst.child === started && started !== undefined, 120_000).then(
          () =>
            onRestart({
              phase: 'ready',
              service: name,
              replica: inst.replica,
              pid: started?.pid ?? 0,
              restarts: inst.restarts,
              downMs: Date.now() - exitedAt,
            }),
          () => undefined, // exited again: its own exit handler schedules the next attempt
        );
      }, inst.backoffMs);
    });
  };

  const newInstance = (service: string, replica: number, port: number): Instance => {
    const inst: Instance = {
      service,
      replica,
      port,
      child: undefined,
      startedAt: 0,
      restarts: 0,
      backoffMs: 0,
      retiring: false,
      pendingRestart: undefined,
    };
    spawnInstance(inst);
    return inst;
  };

  const terminate = (inst: Instance, graceMs: number) =>
    new Promise<void>((resolve) => {
      inst.retiring = true;
      if (inst.pendingRestart) clearTimeout(inst.pendingRestart);
      const c = inst.child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return resolve();
      const timer = setTimeout(() => c.kill('SIGKILL'), graceMs);
      c.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      c.kill('SIGTERM');
    });

  const all = () => [...instances.values()].flat();

  for (const { name } of services) instances.set(name, [newInstance(name, 0, portOf(name))]);

  const stop = async (graceMs = 25_000) => {
    stopping = true;
    await Promise.all(all().map((inst) => terminate(inst, graceMs)));
    await identity?.stop();
  };
  const kill = () => {
    for (const inst of all()) inst.child?.kill('SIGKILL');
    identity?.kill();
  };
  const ready = async (timeoutMs = 120_000) => {
    await Promise.all(
      all().map((inst) =>
        waitReady(inst.service, inst.port, () => inst.child !== undefined || inst.pendingRestart !== undefined, timeoutMs),
      ),
    );
  };

  try {
    // Generous: on a busy machine seven processes starting at once take their time.
    await Promise.all(all().map((inst) => waitReady(inst.service, inst.port, () => inst.child !== undefined, 180_000)));
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    pids: () => Object.fromEntries([...instances].map(([n, list]) => [n, list[0]?.child?.pid ?? 0])),
    instances: () => all().map((i) => ({ service: i.service, replica: i.replica, pid: i.child?.pid ?? 0, port: i.port })),
    url: urlOf,
    signal: (service, sig, replica = 0) => {
      const inst = instances.get(service)?.find((i) => i.replica === replica);
      return inst?.child ? inst.child.kill(sig) : false;
    },
    restart: async (service, replica = 0) => {
      const inst = instances.get(service)?.find((i) => i.replica === replica);
      if (!inst) throw new Error(`${service} has no replica ${replica}`);
      await terminate(inst, 25_000);
      inst.retiring = false;
      inst.backoffMs = 0;
      spawnInstance(inst);
      const started = inst.child;
      await waitReady(service, inst.port, () => inst.child === started, 120_000);
    },
    scale: async (service, count) => {
      const list = instances.get(service);
      if (!list) throw new Error(`no service ${service}`);
      const added: Instance[] = [];
      while (list.length < count) {
        const inst = newInstance(service, Math.max(...list.map((i) => i.replica)) + 1, await freePort());
        list.push(inst);
        added.push(inst);
      }
      await Promise.all(added.map((inst) => waitReady(service, inst.port, () => inst.child !== undefined, 120_000)));
      const extra = list.splice(Math.max(count, 1));
      await Promise.all(extra.map((inst) => terminate(inst, 25_000)));
    },
    ready,
    stop,
    kill,
  };
}

export function describeRestart(e: RestartEvent): string {
  const who = e.replica === 0 ? e.service : `${e.service}#${e.replica}`;
  if (e.phase === 'exited') {
    return `▸ ${who} exited unexpectedly (${e.signal ?? `code ${e.code}`}); restarting in ${(e.delayMs / 1000).toFixed(1)} s (restart ${e.restarts})`;
  }
  return `▸ ${who} restarted (pid ${e.pid}, restart ${e.restarts}) and ready after ${(e.downMs / 1000).toFixed(1)} s`;
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

async function waitReady(name: string, port: number, alive: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`${name} exited during start-up`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) })).ok) return;
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
