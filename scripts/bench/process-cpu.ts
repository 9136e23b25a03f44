/**
 * CPU time of the processes an order runs through: the service processes, PostgreSQL's postmaster
 * and all its children (client backends of the measured database and background processes; client
 * backends of other databases are counted apart, they are other people's load) and RabbitMQ's
 * beam.smp. Plus the machine's total busy time, so the load nobody in the stack accounts for shows.
 *
 * pidtree lists the postmaster's children, pidusage reads each process's CPU time and
 * pg_stat_activity says which database a backend serves. Processes come and go (node-postgres pools
 * close connections idle for 10 s) and no library keeps the last value of a process that has
 * exited, so a sampler observes them every second and remembers each one's last value: one that has
 * exited still counts in later samples with the CPU it had when last seen. The services' own
 * process_cpu_seconds_total would cover only them (PostgreSQL and RabbitMQ still need their pids),
 * so every process is read the same way.
 */
import { readFileSync } from 'node:fs';
import pidtree from 'pidtree';
import pidusage from 'pidusage';

export type CpuGroup = string;

export interface ProcCpu {
  group: CpuGroup;
  pid: number;
  /** How long the process has run (ms, against the kernel's uptime): tells a reused pid from its previous holder. */
  elapsedMs: number;
  /** CPU seconds so far (when last seen, for a process that has exited since). */
  seconds: number;
}
/** Every process seen, by pid (a pid's earlier holder, if the pid was reused, under `pid@elapsedMs`). */
export type ProcCpuMap = ReadonlyMap<string, ProcCpu>;

export interface CpuSample {
  atMs: number;
  /** Every process seen so far, those that have exited with their last value. */
  procs: ProcCpuMap;
  machineBusySec: number;
  machineTotalSec: number;
  benchSec: number;
}

export interface CpuTargets {
  services: Record<string, number>;
  postmaster?: number;
  rabbit?: number;
  /** The database the stack uses: its backends count, other databases' are excluded (default orderly). */
  database?: string;
  /** Every process in pg_stat_activity by pid → the database it serves (null: not a client backend). */
  backendDatabases?: () => Promise<ReadonlyMap<number, string | null>>;
  /** Backends the bench itself opened (excluded). */
  ownBackends: () => readonly number[];
}

const background = 'postgres background';
const own = 'bench own backends (excluded)';

/** Which group a postmaster child belongs to, from the database it serves (none: a background process). */
export function postgresGroup(db: string | undefined, database = 'orderly'): CpuGroup {
  if (db === undefined) return background;
  return db === database ? `postgres backends (${database})` : 'other databases (excluded)';
}

// The kernel's own counters: os.cpus() leaves out softirq and steal, which loopback traffic and a VM make large.
function machine(): { busySec: number; totalSec: number } {
  const cpu = (readFileSync('/proc/stat', 'utf8').split('\n')[0] as string).trim().split(/\s+/).slice(1, 9).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = cpu;
  const busy = user + nice + system + irq + softirq + steal;
  // /proc/stat counts in USER_HZ, which is 100 on every architecture Node runs on.
  return { busySec: busy / 100, totalSec: (busy + idle + iowait) / 100 };
}

/**
 * Each service process's group: `service <name>`, or for one process hosting several services
 * (npm start's one-process mode) a single group naming them all, so its CPU counts once and under
 * no single service's name.
 */
export function serviceGroups(services: Record<string, number>): Map<number, CpuGroup> {
  const byPid = new Map<number, string[]>();
  for (const [name, pid] of Object.entries(services)) byPid.set(pid, [...(byPid.get(pid) ?? []), name]);
  return new Map(
    [...byPid].map(([pid, names]) => [pid, names.length === 1 ? `service ${names[0]}` : `services in one process (${names.join(', ')})`]),
  );
}

/** The target processes running now, with their group and CPU seconds. */
async function observe(t: CpuTargets, placed: Map<number, CpuGroup>): Promise<ProcCpu[]> {
  const groups = serviceGroups(t.services);
  if (t.rabbit) groups.set(t.rabbit, 'rabbitmq (beam.smp)');
  if (t.postmaster) {
    const children = await pidtree(t.postmaster).catch(() => [] as number[]);
    const ownPids = new Set(t.ownBackends());
    // What a process is never changes, so pg_stat_activity is asked only while a child is not yet
    // placed (each query is a commit in the measured database); one that exits keeps its group.
    for (const pid of placed.keys()) if (!children.includes(pid)) placed.delete(pid);
    const pending = children.some((pid) => !ownPids.has(pid) && !placed.has(pid));
    const activity = pending && t.backendDatabases ? await t.backendDatabases().catch(() => undefined) : undefined;
    groups.set(t.postmaster, background);
    for (const pid of children) {
      if (activity?.has(pid)) placed.set(pid, postgresGroup(activity.get(pid) ?? undefined, t.database));
      groups.set(pid, ownPids.has(pid) ? own : (placed.get(pid) ?? background));
    }
  }
  const stats = await pidusage([...groups.keys()]).catch(() => ({}) as Record<string, pidusage.Status | undefined>);
  const out: ProcCpu[] = [];
  for (const [pid, group] of groups) {
    const s = stats[pid];
    if (s) out.push({ group, pid, elapsedMs: s.elapsed, seconds: s.ctime / 1000 });
  }
  // pidusage keeps each pid's /proc file open; a pid that is gone (and may be reused) must not keep its old one.
  if (out.length < groups.size) pidusage.clear();
  return out;
}

/**
 * Whether b is a later observation of a's process: its run time and CPU time never go back, while a
 * new holder of the pid starts both from zero. (Not the start time: pidusage derives it from the
 * wall clock at the end of a read, which a busy event loop delays by seconds.)
 */
const sameProcess = (a: ProcCpu, b: ProcCpu) => a.pid === b.pid && b.elapsedMs >= a.elapsedMs && b.seconds >= a.seconds;

/**
 * The processes seen so far updated with a new observation: a running process takes its new value
 * (and group), one absent from the observation (exited) keeps the last value and group it was seen
 * with — so an own backend stays excluded. A pid now held by a new process (see sameProcess) keeps
 * the old one too, under `pid@elapsedMs`.
 * Pure; returns a new map.
 */
export function remember(seen: ProcCpuMap, live: readonly ProcCpu[]): ProcCpuMap {
  const merged = new Map(seen);
  for (const p of live) {
    const key = String(p.pid);
    const before = merged.get(key);
    if (before && !sameProcess(before, p)) merged.set(`${key}@${before.elapsedMs}`, before);
    merged.set(key, p);
  }
  return merged;
}

export interface CpuSampler {
  /** Observes now and returns everything seen so far plus the machine and bench counters. */
  sample(): Promise<CpuSample>;
  /** Stops the background observations (idempotent); `sample` still works. */
  stop(): void;
}

/**
 * Observes the targets now and every `everyMs` in the background (an unref'd timer: it never keeps
 * the process alive), so a process that exits loses at most `everyMs` of its CPU. One sampler at a
 * time: pidusage's cache of open /proc files is shared by the whole process.
 */
export async function startCpuSampler(t: CpuTargets, everyMs = 1000): Promise<CpuSampler> {
  let seen: ProcCpuMap = new Map();
  const placed = new Map<number, CpuGroup>();
  // One observation at a time, in order: each merges into what the previous one left.
  let last: Promise<unknown> = Promise.resolve();
  const update = () => {
    const next = last.then(async () => {
      seen = remember(seen, await observe(t, placed));
    });
    last = next.catch(() => undefined); // /proc or the database unreadable for a moment: the next one catches up
    return next;
  };
  await update();
  const timer = setInterval(update, everyMs);
  timer.unref();
  return {
    async sample() {
      await update();
      const m = machine();
      const u = process.cpuUsage();
      return {
        atMs: performance.now(),
        procs: seen,
        machineBusySec: m.busySec,
        machineTotalSec: m.totalSec,
        benchSec: (u.user + u.system) / 1e6,
      };
    },
    stop: () => {
      clearInterval(timer);
      pidusage.clear();
    },
  };
}

export interface CpuUsage {
  wallSec: number;
  /** CPU seconds per group over the window. */
  byGroup: Record<CpuGroup, number>;
  /** Sum of the groups that serve orders (services, postgres orderly + background, rabbitmq). */
  stackSec: number;
  benchSec: number;
  /** Machine busy CPU seconds not in the stack nor the bench: other people's load (noise). */
  otherSec: number;
  machineBusySec: number;
  cores: number;
}

export const excludedGroup = (g: CpuGroup) => g.endsWith('(excluded)');

/** CPU spent between two samples; a process born in between counts from zero, one that exited
 * counts up to when it was last seen. */
export function cpuBetween(a: CpuSample, b: CpuSample): CpuUsage {
  const byGroup: Record<CpuGroup, number> = {};
  for (const [key, p] of b.procs) {
    // A pid's earlier holder is retired under `pid@start` after a, so look it up under its pid too.
    const prior = a.procs.get(key) ?? a.procs.get(String(p.pid));
    const before = prior && sameProcess(prior, p) ? prior.seconds : 0;
    byGroup[p.group] = (byGroup[p.group] ?? 0) + Math.max(0, p.seconds - before);
  }
  const all = Object.entries(byGroup);
  const stackSec = all.filter(([g]) => !excludedGroup(g)).reduce((s, [, v]) => s + v, 0);
  const excludedSec = all.filter(([g]) => excludedGroup(g)).reduce((s, [, v]) => s + v, 0);
  const benchSec = b.benchSec - a.benchSec;
  const machineBusySec = b.machineBusySec - a.machineBusySec;
  const wallSec = (b.atMs - a.atMs) / 1000;
  const cores = wallSec > 0 ? (b.machineTotalSec - a.machineTotalSec) / wallSec : 0;
  return {
    wallSec,
    byGroup,
    stackSec,
    benchSec,
    otherSec: Math.max(0, machineBusySec - stackSec - benchSec - excludedSec) + excludedSec,
    machineBusySec,
    cores,
  };
}
