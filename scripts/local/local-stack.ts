/**
 * Runs every service as its own process from the built output (what ships), with the tracing
 * register hook loaded first, and for `npm start` a Prometheus scraping them (prometheus.ts). Used
 * by `npm start`, the demo, the benchmark and the chaos harness.
 *
 * A process that exits on its own is treated the way Kubernetes treats a pod (supervisor.ts): it is
 * started again after a back-off, and the stack says so. Only stop(), a rolling restart() or a
 * scale-in end a service for good.
 *
 * ORDERLY_PROCESSES=one (or the `processes` option) runs the seven services in one Node process
 * instead (process-mode.ts): one failure domain, so signalling or restarting one service does so to
 * all of them, and none can be scaled.
 */
import { existsSync } from 'node:fs';
import { vhostOf } from '@orderly/platform';
import { freePort } from '@orderly/testkit';
import { consoleSettings } from './console.ts';
import { localServiceEnv } from './credentials.ts';
import { startLocalIdentity } from './identity.ts';
import { hostedLaunch, oneProcessName, type ProcessMode, processModeFrom, serviceOfLine } from './process-mode.ts';
import { preparePrometheus, prometheusPort, scrapeTargets } from './prometheus.ts';
import { baseUrl, consoleService, localAdmin, localDefaults, services } from './services.ts';
import {
  defaultRestartPolicy,
  describeRestart,
  type RestartEvent,
  type RestartPolicy,
  type Supervised,
  supervisor,
  waitReady,
} from './supervisor.ts';

export { defaultRestartPolicy, describeRestart, type RestartEvent, type RestartPolicy };

const root = new URL('../..', import.meta.url).pathname;
const stateDir = process.env.ORDERLY_STATE_DIR ?? '/var/tmp/orderly';

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
  /** Also run Prometheus on :9090 (PROMETHEUS_PORT), scraping the stack with the chart's alert rules (npm start). */
  prometheus?: boolean;
  /** Also run the operations console on :8087 (npm start; needs credentials). */
  console?: boolean;
  /** How an unexpected exit is restarted; false: not at all. */
  restart?: RestartPolicy | false;
  /** What the stack says about a restart; by default a line on stderr. */
  onRestart?: (event: RestartEvent) => void;
  /** Each service its own process, or all in one (default: ORDERLY_PROCESSES, else per-service). */
  processes?: ProcessMode;
}

export interface InstanceInfo {
  service: string;
  replica: number;
  pid: number;
  port: number;
}

export interface LocalStack {
  readonly processes: ProcessMode;
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

export async function startLocalStack({
  env = {},
  credentials = true,
  serviceEnv,
  ports = {},
  prometheus = false,
  console: runConsole = false,
  onLine,
  onExit,
  restart = defaultRestartPolicy,
  onRestart = (e) => console.error(describeRestart(e)),
  processes: mode = processModeFrom(process.env),
}: LocalStackOptions = {}): Promise<LocalStack> {
  // Log colours by position: the services, then the console, the identity provider and Prometheus.
  const names = [...services.map((s) => s.name), consoleService.name, 'identity', 'prometheus', oneProcessName];
  const stackServices = runConsole ? [...services, consoleService] : services;
  const line = (who: string, text: string) => {
    const name = who === oneProcessName ? serviceOfLine(text, oneProcessName) : who;
    onLine?.(name, names.indexOf(name), text);
  };
  // The demo identity provider first (unless AUTH_ISSUER names another): the services trust its tokens.
  const identity = (env.AUTH_ISSUER ?? process.env.AUTH_ISSUER) ? undefined : await startLocalIdentity((text) => line('identity', text));
  if (identity) env = { ...identity.env, ...env };
  const own = credentials ? await localServiceEnv(env) : () => ({});
  const instances = new Map<string, Supervised[]>();
  const extras: Supervised[] = [];
  const processes = supervisor({ restart, onLine: line, onExit, onRestart });
  const register = `${root}services/lib/platform/dist/src/telemetry/register.js`;
  const portOf = (name: string) => ports[name] ?? stackServices.find((s) => s.name === name)!.port;
  const consoleEnv = runConsole ? await consoleSettings({ prometheus }) : {};
  const urlOf = (name: string) => (ports[name] ? `http://127.0.0.1:${ports[name]}` : baseUrl(name));

  // ORDERLY_CPU_PROF_DIR: each process writes a V8 CPU profile there when it stops (docs/benchmark.md#profiling).
  const nodeArgs = () => [
    ...(process.env.ORDERLY_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.ORDERLY_CPU_PROF_DIR}`] : []),
    '--import',
    register,
  ];
  const commonEnv = () => ({
    ...localDefaults,
    // Spans get ids (for logs, exemplars and the audit log) but go nowhere unless a collector is named.
    ...(process.env.OTEL_EXPORTER_OTLP_ENDPOINT ? {} : { OTEL_TRACES_EXPORTER: 'none' }),
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
    ...process.env,
    ...env,
  });
  const serviceEnvOf = (name: string, port: number) =>
    ({
      ...commonEnv(),
      ...own(name),
      ...serviceEnv?.(name),
      PORT: String(port),
      OTEL_SERVICE_NAME: `orderly-${name}`,
      ...(name === 'inventory' ? { SEED_DEMO_CATALOGUE: 'true' } : {}),
      ...(name === consoleService.name ? consoleEnv : {}),
    }) as Record<string, string>;
  const launchService = (name: string, port: number) => () => {
    const main = `${root}services/${name}/dist/src/main.js`;
    if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build`);
    return { command: process.execPath, args: [...nodeArgs(), main], env: serviceEnvOf(name, port) };
  };
  const readyz = (port: number) => `http://127.0.0.1:${port}/readyz`;
  const newInstance = (service: string, replica: number, port: number) =>
    processes.start(service, replica, port, [readyz(port)], launchService(service, port));
  // The one process: every service's environment, read again at each (re)start as a process's would be.
  const newHost = () =>
    processes.start(
      oneProcessName,
      0,
      portOf(services[0]!.name),
      services.map((s) => readyz(portOf(s.name))),
      () =>
        hostedLaunch({
          root,
          nodeArgs: nodeArgs(),
          // One tracer provider per process: its spans carry one service.name (decision record).
          env: { ...commonEnv(), OTEL_SERVICE_NAME: 'orderly-local-stack' },
          services: services.map((s) => ({ name: s.name, env: serviceEnvOf(s.name, portOf(s.name)) })),
        }),
    );

  // In one-process mode every service's entry is the same process.
  const all = () => [...new Set([...instances.values()].flat())];
  const stop = async (graceMs = 25_000) => {
    processes.stopping();
    await Promise.all([...all(), ...extras].map((p) => processes.terminate(p, graceMs)));
    await identity?.stop();
  };

  try {
    if (mode === 'one') {
      const host = newHost();
      for (const { name } of services) instances.set(name, [host]);
      if (runConsole) instances.set(consoleService.name, [newInstance(consoleService.name, 0, portOf(consoleService.name))]);
    } else {
      for (const { name } of stackServices) instances.set(name, [newInstance(name, 0, portOf(name))]);
    }
    if (prometheus) {
      const amqpUrl = env.AMQP_URL ?? localAdmin.AMQP_URL;
      const targets = scrapeTargets({
        services: stackServices.map((s) => ({ name: s.name, port: portOf(s.name) })),
        brokerMetricsUrl: process.env.RABBITMQ_PROMETHEUS_URL ?? 'http://127.0.0.1:15692',
        vhost: vhostOf(amqpUrl),
      });
      const { readyUrl, launch } = await preparePrometheus(stateDir, targets);
      extras.push(processes.start('prometheus', 0, prometheusPort, [readyUrl], launch));
    }
    // Generous: on a busy machine seven processes starting at once take their time.
    await Promise.all([...all(), ...extras].map((p) => waitReady(p, () => p.child !== undefined, 180_000)));
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    processes: mode,
    pids: () => Object.fromEntries([...instances].map(([n, list]) => [n, list[0]?.child?.pid ?? 0])),
    instances: () =>
      [...instances].flatMap(([service, list]) =>
        list.map((i) => ({
          service,
          replica: i.replica,
          pid: i.child?.pid ?? 0,
          port: i.service === oneProcessName ? portOf(service) : i.port,
        })),
      ),
    url: urlOf,
    signal: (service, sig, replica = 0) => {
      const inst = instances.get(service)?.find((i) => i.replica === replica);
      return inst?.child ? inst.child.kill(sig) : false;
    },
    restart: async (service, replica = 0) => {
      const inst = instances.get(service)?.find((i) => i.replica === replica);
      if (!inst) throw new Error(`${service} has no replica ${replica}`);
      await processes.terminate(inst, 25_000);
      await processes.respawn(inst);
    },
    scale: async (service, count) => {
      const list = instances.get(service);
      if (!list) throw new Error(`no service ${service}`);
      if (list[0]?.service === oneProcessName && count !== 1) {
        throw new Error(`${service} runs in the one process: scaling needs ORDERLY_PROCESSES=per-service`);
      }
      const added: Supervised[] = [];
      while (list.length < count) {
        const inst = newInstance(service, Math.max(...list.map((i) => i.replica)) + 1, await freePort());
        list.push(inst);
        added.push(inst);
      }
      await Promise.all(added.map((inst) => waitReady(inst, () => inst.child !== undefined, 120_000)));
      const extra = list.splice(Math.max(count, 1));
      await Promise.all(extra.map((inst) => processes.terminate(inst, 25_000)));
    },
    ready: async (timeoutMs = 120_000) => {
      await Promise.all(
        all().map((inst) => waitReady(inst, () => inst.child !== undefined || inst.pendingRestart !== undefined, timeoutMs)),
      );
    },
    stop,
    kill: () => {
      for (const p of [...all(), ...extras]) p.child?.kill('SIGKILL');
      identity?.kill();
    },
  };
}

/** Whether something answers where the order service would (a wedged listener counts as not running). */
export async function stackRunning(): Promise<boolean> {
  try {
    return (await fetch(`${baseUrl('order')}/healthz`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}
