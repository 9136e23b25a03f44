import { spawn } from 'node:child_process';
import { once } from 'node:events';
import test from 'ava';
import { type CpuSample, cpuBetween, type ProcCpu, type ProcCpuMap, remember, startCpuSampler } from '../process-cpu.ts';

const BACKENDS = 'postgres backends (orderly)';
const OWN = 'bench own backends (excluded)';

const procs = (...ps: [key: string, group: string, seconds: number][]): ProcCpuMap =>
  new Map<string, ProcCpu>(ps.map(([key, group, seconds]) => [key, { group, pid: Number(key.split(':')[0]), seconds }]));

const sample = (atSec: number, seen: ProcCpuMap): CpuSample => ({
  atMs: atSec * 1000,
  procs: seen,
  machineBusySec: 100,
  machineTotalSec: 100,
  benchSec: 0,
});

test('when a backend exits between two samples, then it keeps the CPU it had when last seen', (t) => {
  let seen = remember(new Map(), procs(['10:1', BACKENDS, 1], ['11:1', BACKENDS, 5]));
  const a = sample(0, seen);
  seen = remember(seen, procs(['10:1', BACKENDS, 3], ['11:1', BACKENDS, 7])); // background observation
  seen = remember(seen, procs(['11:1', BACKENDS, 8])); // 10 has exited
  const b = sample(20, seen);
  const cpu = cpuBetween(a, b);
  t.is(cpu.byGroup[BACKENDS], 2 + 3);
  t.is(b.procs.get('10:1')?.seconds, 3);
});

test('when a backend is born between samples (and even gone before the end), then it counts from zero up to its last value', (t) => {
  let seen = remember(new Map(), procs(['10:1', BACKENDS, 1]));
  const a = sample(0, seen);
  seen = remember(seen, procs(['10:1', BACKENDS, 1], ['12:50', BACKENDS, 0.4]));
  seen = remember(seen, procs(['10:1', BACKENDS, 1])); // 12 is gone
  // pid 12 reused by a new process (other starttime): a different key, from zero too
  seen = remember(seen, procs(['10:1', BACKENDS, 1], ['12:90', BACKENDS, 0.1]));
  const cpu = cpuBetween(a, sample(10, seen));
  t.is(cpu.byGroup[BACKENDS], 0.4 + 0.1);
});

test('when samples follow one another, then nothing is counted twice', (t) => {
  let seen = remember(new Map(), procs(['10:1', BACKENDS, 1], ['11:1', BACKENDS, 2]));
  const a = sample(0, seen);
  seen = remember(seen, procs(['11:1', BACKENDS, 4])); // 10 exited at 1 s
  const b = sample(10, seen);
  seen = remember(seen, procs(['11:1', BACKENDS, 4.5]));
  const c = sample(20, seen);
  const ab = cpuBetween(a, b).byGroup[BACKENDS] ?? 0;
  const bc = cpuBetween(b, c).byGroup[BACKENDS] ?? 0;
  t.is(ab, 2);
  t.is(bc, 0.5); // the exited backend adds nothing more
  t.is(cpuBetween(a, c).byGroup[BACKENDS], ab + bc);
  t.is(remember(seen, seen).size, 2);
});

test('when the bench own backend exits, then it stays excluded from the stack', (t) => {
  let seen = remember(new Map(), procs(['10:1', BACKENDS, 1], ['20:1', OWN, 1]));
  const a = sample(0, seen);
  seen = remember(seen, procs(['10:1', BACKENDS, 2], ['20:1', OWN, 3]));
  seen = remember(seen, procs(['10:1', BACKENDS, 2]));
  const cpu = cpuBetween(a, sample(10, seen));
  t.is(cpu.byGroup[OWN], 2);
  t.is(cpu.stackSec, 1);
});

test('when a sampled process burns CPU and exits before the end sample, then the sampler still counts it', async (t) => {
  t.timeout(20_000);
  const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 300; while (Date.now() < end);'], { stdio: 'ignore' });
  const sampler = startCpuSampler({ services: { burner: child.pid as number }, ownBackends: () => [] }, 50);
  try {
    const a = sampler.sample();
    await once(child, 'exit');
    await new Promise((r) => setTimeout(r, 200));
    const cpu = cpuBetween(a, sampler.sample());
    t.true((cpu.byGroup['service burner'] ?? 0) > 0.1, `counted ${cpu.byGroup['service burner']} s`);
  } finally {
    sampler.stop();
  }
});
