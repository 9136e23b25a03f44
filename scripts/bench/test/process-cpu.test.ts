import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { serversFromEnv } from '@orderly/platform/testing';
import test from 'ava';
import pg from 'pg';
import { type CpuSample, cpuBetween, type ProcCpu, type ProcCpuMap, remember, startCpuSampler } from '../process-cpu.ts';

const BACKENDS = 'postgres backends (orderly)';
const OWN = 'bench own backends (excluded)';

/** Processes as observed: [pid, group, CPU seconds, ms it has run (default: seconds × 10 s)]. */
const procs = (...ps: [pid: number, group: string, seconds: number, elapsedMs?: number][]): ProcCpu[] =>
  ps.map(([pid, group, seconds, elapsedMs = seconds * 10_000]) => ({ group, pid, seconds, elapsedMs }));

const sample = (atSec: number, seen: ProcCpuMap): CpuSample => ({
  atMs: atSec * 1000,
  procs: seen,
  machineBusySec: 100,
  machineTotalSec: 100,
  benchSec: 0,
});

test('when a backend exits between two samples, then it keeps the CPU it had when last seen', (t) => {
  let seen = remember(new Map(), procs([10, BACKENDS, 1], [11, BACKENDS, 5]));
  const a = sample(0, seen);
  seen = remember(seen, procs([10, BACKENDS, 3], [11, BACKENDS, 7])); // background observation
  seen = remember(seen, procs([11, BACKENDS, 8])); // 10 has exited
  const b = sample(20, seen);
  t.is(cpuBetween(a, b).byGroup[BACKENDS], 2 + 3);
  t.is(b.procs.get('10')?.seconds, 3);
});

test('when a pid is reused by a later process, then both count: the old one up to its last value, the new one from zero', (t) => {
  let seen = remember(new Map(), procs([10, BACKENDS, 1], [12, BACKENDS, 2, 60_000]));
  const a = sample(0, seen);
  seen = remember(seen, procs([10, BACKENDS, 1], [12, BACKENDS, 2.5, 61_000]));
  seen = remember(seen, procs([10, BACKENDS, 1], [12, BACKENDS, 0.25, 700])); // 12 now held by a new process
  const cpu = cpuBetween(a, sample(10, seen));
  t.is(cpu.byGroup[BACKENDS], 0.5 + 0.25);
  t.is(seen.size, 3);
});

test('when samples follow one another, then nothing is counted twice', (t) => {
  let seen = remember(new Map(), procs([10, BACKENDS, 1], [11, BACKENDS, 2]));
  const a = sample(0, seen);
  seen = remember(seen, procs([11, BACKENDS, 4])); // 10 exited at 1 s
  const b = sample(10, seen);
  seen = remember(seen, procs([11, BACKENDS, 4.5]));
  const c = sample(20, seen);
  const ab = cpuBetween(a, b).byGroup[BACKENDS] ?? 0;
  const bc = cpuBetween(b, c).byGroup[BACKENDS] ?? 0;
  t.is(ab, 2);
  t.is(bc, 0.5); // the exited backend adds nothing more
  t.is(cpuBetween(a, c).byGroup[BACKENDS], ab + bc);
});

test('when the bench own backend exits, then it stays excluded from the stack', (t) => {
  let seen = remember(new Map(), procs([10, BACKENDS, 1], [20, OWN, 1]));
  const a = sample(0, seen);
  seen = remember(seen, procs([10, BACKENDS, 2], [20, OWN, 3]));
  seen = remember(seen, procs([10, BACKENDS, 2]));
  const cpu = cpuBetween(a, sample(10, seen));
  t.is(cpu.byGroup[OWN], 2);
  t.is(cpu.stackSec, 1);
});

// pidusage's open /proc files are process-wide state: one sampler at a time.
test.serial('when a sampled process burns CPU and exits before the end sample, then the sampler still counts it', async (t) => {
  t.timeout(20_000);
  // It burns 0.3 s of CPU (not of wall time: the machine may be busy) once told to, then exits.
  const burn = `process.stdin.once('data', () => { const end = process.cpuUsage().user + 300_000; while (process.cpuUsage().user < end); process.exit(); })`;
  const child = spawn(process.execPath, ['-e', burn], { stdio: ['pipe', 'ignore', 'ignore'] });
  const exited = once(child, 'exit');
  const sampler = await startCpuSampler({ services: { burner: child.pid as number }, ownBackends: () => [] }, 50);
  try {
    const a = await sampler.sample();
    child.stdin?.write('go\n');
    await exited;
    await new Promise((r) => setTimeout(r, 200));
    const cpu = cpuBetween(a, await sampler.sample());
    t.true((cpu.byGroup['service burner'] ?? 0) >= 0.25, `counted ${cpu.byGroup['service burner']} s`);
  } finally {
    sampler.stop();
  }
});

test.serial('when a process is a child of the postmaster, then it is grouped by the database pg_stat_activity names for it', async (t) => {
  t.timeout(20_000);
  // A stand-in postmaster with three idle children: the "activity" names one a backend of orderly,
  // one of another database; the third is the bench's own.
  const idle = 'setTimeout(() => {}, 10_000)';
  const spawnThree = `for (let i = 0; i < 3; i++) require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(idle)}]); ${idle}`;
  const parent = spawn(process.execPath, ['-e', spawnThree], { stdio: 'ignore' });
  const pidtree = (await import('pidtree')).default;
  let children: number[] = [];
  while (children.length < 3) children = await pidtree(parent.pid as number);
  t.teardown(() => {
    for (const pid of [...children, parent.pid as number]) process.kill(pid);
  });
  const [mine, theirs, own] = children as [number, number, number];
  const sampler = await startCpuSampler({
    services: {},
    postmaster: parent.pid as number,
    database: 'orderly',
    backendDatabases: async () =>
      new Map([
        [mine, 'orderly'],
        [theirs, 'other'],
        [own, 'orderly'],
        [parent.pid as number, null],
      ]),
    ownBackends: () => [own],
  });
  try {
    const { procs } = await sampler.sample();
    const groupOf = (pid: number) => procs.get(String(pid))?.group;
    t.is(groupOf(mine), BACKENDS);
    t.is(groupOf(theirs), 'other databases (excluded)');
    t.is(groupOf(own), OWN);
    t.is(groupOf(parent.pid as number), 'postgres background');
  } finally {
    sampler.stop();
  }
});

test('pg_stat_activity names the database of a real backend', async (t) => {
  const { backendDatabases } = await import('../pg-stats.ts');
  const client = new pg.Client({ connectionString: serversFromEnv().databaseUrl });
  await client.connect();
  t.teardown(() => client.end());
  const { rows } = await client.query<{ pid: number; db: string }>('SELECT pg_backend_pid() AS pid, current_database() AS db');
  const dbs = await backendDatabases({ client, ownPid: rows[0]?.pid as number, database: rows[0]?.db as string, close: async () => {} });
  t.is(dbs.get(rows[0]?.pid as number), rows[0]?.db);
  t.true([...dbs.values()].includes(null), 'background processes are listed without a database');
});

test.serial('when one process hosts several services, then its CPU counts under one group naming them all, not one service', async (t) => {
  t.timeout(20_000);
  // A stand-in for npm start's one-process mode: one busy process behind two services' ports.
  const busy = spawn(process.execPath, ['-e', 'const end = Date.now() + 10_000; while (Date.now() < end);'], { stdio: 'ignore' });
  t.teardown(() => busy.kill());
  const pid = busy.pid as number;
  const sampler = await startCpuSampler({ services: { order: pid, inventory: pid }, ownBackends: () => [] });
  try {
    const a = await sampler.sample();
    await new Promise((r) => setTimeout(r, 500));
    const { byGroup, stackSec } = cpuBetween(a, await sampler.sample());
    t.deepEqual(Object.keys(byGroup), ['services in one process (order, inventory)']);
    t.true(stackSec > 0, `the busy process's CPU is counted (${stackSec} s)`);
  } finally {
    sampler.stop();
  }
});
