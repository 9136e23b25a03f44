/**
 * CPU time of the processes an order runs through, from /proc/<pid>/stat (utime + stime): the
 * service processes, PostgreSQL's postmaster and all its children (backends of database orderly
 * and background workers; backends of other databases are counted apart, they are other people's
 * load) and RabbitMQ's beam.smp. Plus the machine's total busy time from /proc/stat, so the load
 * nobody in the stack accounts for (other processes on the machine) shows too.
 *
 * Processes come and go (node-postgres pools close connections idle for 10 s), so a sampler
 * observes them every second in the background and remembers each one's last value: one that has
 * exited still counts in later samples with the CPU it had when last seen.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export type CpuGroup = string;

export interface ProcCpu {
  group: CpuGroup;
  pid: number;
  /** CPU seconds so far (when last seen, for a process that has exited since). */
  seconds: number;
}
/** key `pid:starttime` → the process's group and CPU seconds. */
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
  /** Backends the bench itself opened (excluded). */
  ownBackends: () => readonly number[];
}

let tickHz = 0;
function ticksPerSecond(): number {
  if (!tickHz) {
    try {
      tickHz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      tickHz = 100;
    }
  }
  return tickHz;
}

interface Stat {
  ppid: number;
  ticks: number;
  start: string;
}
function readStat(pid: number): Stat | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]), start: f[19] as string };
  } catch {
    return undefined; // gone
  }
}
const cmdline = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return '';
  }
};

/** The parent of `pid`, if it still runs. */
export const parentPid = (pid: number) => readStat(pid)?.ppid;

/** The pid listening on 127.0.0.1:port (via ss), if any. */
export function listenerPid(port: number): number | undefined {
  try {
    const out = execFileSync('ss', ['-Hltnp', `sport = :${port}`], { encoding: 'utf8' });
    const m = /pid=(\d+)/.exec(out);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Which group a postmaster child belongs to, from its title (`postgres: user db host(port) …`). */
export function postgresGroup(title: string, database = 'orderly'): CpuGroup {
  const m = /^postgres: (\S+) (\S+) (\S+\(\d+\)|\[local\])/.exec(title);
  if (!m) return 'postgres background';
  return m[2] === database ? `postgres backends (${database})` : 'other databases (excluded)';
}

function machine(): { busy: number; total: number } {
  const cpu = (readFileSync('/proc/stat', 'utf8').split('\n')[0] as string).trim().split(/\s+/).slice(1, 9).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = cpu as number[];
  const busy = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
  return { busy, total: busy + (idle ?? 0) + (iowait ?? 0) };
}

/** The target processes running now, with their group and CPU seconds. */
function observe(t: CpuTargets): ProcCpuMap {
  const hz = ticksPerSecond();
  const procs = new Map<string, ProcCpu>();
  const add = (pid: number, group: CpuGroup, st = readStat(pid)) => {
    if (st) procs.set(`${pid}:${st.start}`, { group, pid, seconds: st.ticks / hz });
  };
  for (const [name, pid] of Object.entries(t.services)) add(pid, `service ${name}`);
  if (t.rabbit) add(t.rabbit, 'rabbitmq (beam.smp)');
  if (t.postmaster) {
    add(t.postmaster, 'postgres background');
    const own = new Set(t.ownBackends());
    for (const entry of readdirSync('/proc')) {
      const pid = Number(entry);
      if (!Number.isInteger(pid)) continue;
      const st = readStat(pid);
      if (!st || st.ppid !== t.postmaster) continue;
      add(pid, own.has(pid) ? 'bench own backends (excluded)' : postgresGroup(cmdline(pid), t.database), st);
    }
  }
  return procs;
}

/**
 * The processes seen so far updated with a new observation: a running process takes its new value
 * (and group), one absent from the observation (exited) keeps the last value and group it was seen
 * with — so an own backend stays excluded. Pure; returns a new map.
 */
export function remember(seen: ProcCpuMap, live: ProcCpuMap): ProcCpuMap {
  const merged = new Map(seen);
  for (const [key, p] of live) merged.set(key, p);
  return merged;
}

export interface CpuSampler {
  /** Observes now and returns everything seen so far plus the machine and bench counters. */
  sample(): CpuSample;
  /** Stops the background observations (idempotent); `sample` still works. */
  stop(): void;
}

/**
 * Observes the targets now and every `everyMs` in the background (an unref'd timer: it never keeps
 * the process alive), so a process that exits loses at most `everyMs` of its CPU.
 */
export function startCpuSampler(t: CpuTargets, everyMs = 1000): CpuSampler {
  let seen: ProcCpuMap = remember(new Map(), observe(t));
  const timer = setInterval(() => {
    try {
      seen = remember(seen, observe(t));
    } catch {
      // /proc unreadable for a moment: the next tick or sample catches up
    }
  }, everyMs);
  timer.unref();
  return {
    sample() {
      seen = remember(seen, observe(t));
      const hz = ticksPerSecond();
      const m = machine();
      const u = process.cpuUsage();
      return {
        atMs: performance.now(),
        procs: seen,
        machineBusySec: m.busy / hz,
        machineTotalSec: m.total / hz,
        benchSec: (u.user + u.system) / 1e6,
      };
    },
    stop: () => clearInterval(timer),
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
    const before = a.procs.get(key)?.seconds ?? 0;
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
