/**
 * One chaos run in one saga mode: start the system on servers of its own, put it under steady
 * load, inject faults from the seeded schedule and measure how long each takes to recover from,
 * then let it settle and check every invariant over the whole history.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { consumerQueues, type SagaMode } from '@orderly/events';
import { type ChaosStack, serviceNames, startChaosStack } from './chaos-stack.ts';
import { gatherFacts } from './facts.ts';
import { type FaultContext, type InjectedPoison, inject } from './faults.ts';
import { History } from './history.ts';
import { checkInvariants } from './invariants.ts';
import { LoadGenerator, plentifulSkus, plentifulStock, scarceSku, sleep, workloadWeights } from './load.ts';
import { Random } from './random.ts';
import { type ChaosReport, explainOrder, printReport, recoveryStats, writeReport } from './report.ts';
import { describePlan, type FaultKind, FaultSchedule, networkFaultKinds, processFaultKinds } from './schedule.ts';
import { postgresAnswers } from './servers/postgres.ts';
import { settle } from './settle.ts';

export interface ChaosOptions {
  mode: SagaMode;
  seed: number;
  /** The fault phase lasts at least this long … */
  durationMs: number;
  /** … and until at least this many faults were injected. */
  minFaults: number;
  kinds: FaultKind[];
  ratePerSecond: number;
  customers: number;
  stateDir: string;
  reportPath?: string;
  gapMs?: [number, number];
  recoveryTimeoutMs?: number;
  settleTimeoutMs?: number;
  keepState?: boolean;
  log?: (line: string) => void;
}

export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const t0 = Date.now();
  const rel = () => `+${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s`;
  const print = o.log ?? ((line: string) => console.log(line));
  const log = (line: string) => print(`[chaos ${o.mode}] ${rel()} ${line}`);
  const runId = `${o.mode.slice(0, 5)}${process.pid}`;
  log(`seed ${o.seed} (repeat with --seed ${o.seed} --mode ${o.mode}); state in ${o.stateDir}`);
  await rm(o.stateDir, { recursive: true, force: true });
  // Before the history opens its file: the stack creates the folder too, but later (ENOENT once in CI).
  await mkdir(o.stateDir, { recursive: true });

  const random = new Random(o.seed);
  const history = new History(join(o.stateDir, 'history.jsonl'));
  const chaos = await startChaosStack({ name: `chaos-${runId}`, stateDir: o.stateDir, mode: o.mode, log });
  const cleanup = async () => {
    await history.close();
    await chaos.close();
    // The servers' data goes; the history and the service logs stay for whoever reads the report.
    if (!o.keepState)
      for (const d of ['postgres', 'rabbitmq']) await rm(join(o.stateDir, d), { recursive: true, force: true }).catch(() => undefined);
  };
  const onSignal = () => {
    chaos.stack.kill();
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await runOn(chaos, o, { random, history, log, print, t0, runId });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanup();
  }
}

interface RunContext {
  random: Random;
  history: History;
  log: (line: string) => void;
  print: (line: string) => void;
  t0: number;
  runId: string;
}

async function runOn(chaos: ChaosStack, o: ChaosOptions, { random, history, log, print, t0, runId }: RunContext): Promise<ChaosReport> {
  // --- stock: plenty of three SKUs, a scarce one that runs out under load --------------------
  const expectedOps = (o.ratePerSecond * o.durationMs) / 1000;
  const totalWeight = Object.values(workloadWeights).reduce((a, b) => a + b, 0);
  const scarceStock = Math.max(5, Math.round((expectedOps * workloadWeights.contended) / totalWeight));
  const initialStock: Record<string, number> = {};
  for (const sku of [...plentifulSkus, scarceSku]) {
    const n = sku === scarceSku ? scarceStock : plentifulStock;
    await chaos.api.setStock(sku, n);
    const p = await chaos.api.product(sku);
    if (p.reserved !== 0 || p.sold !== 0) throw new Error(`${sku} is not fresh: ${JSON.stringify(p)}`);
    initialStock[sku] = n;
  }
  log(
    `stock: ${Object.entries(initialStock)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}; load ${o.ratePerSecond} operations/s over ${o.customers} customers`,
  );

  const load = new LoadGenerator(chaos, history, random, { ratePerSecond: o.ratePerSecond, customers: o.customers, runId });
  const poison: InjectedPoison[] = [];
  const [gapMin, gapMax] = o.gapMs ?? [1000, 3000];
  load.start();
  await sleep(3000);

  // --- faults: two nemeses side by side, each one fault at a time, each fault followed by a
  // recovery measurement. Each draws from its own stream of the seed, so its schedule repeats.
  const faultStart = Date.now();
  const hardStop = faultStart + o.durationMs * 2 + 10 * 60_000;
  let seq = 0;
  // Until the time is up and enough faults were injected, and every kind at least once.
  const injected = (k: FaultKind) => history.faults.some((f) => f.kind === k);
  const goOn = (kinds: FaultKind[]) =>
    (Date.now() - faultStart < o.durationMs || seq < o.minFaults || !kinds.every(injected)) && Date.now() < hardStop;
  const lane = async (name: string, kinds: FaultKind[], laneSeed: number) => {
    if (kinds.length === 0) return;
    const laneRandom = new Random(laneSeed);
    const ctx: FaultContext = { chaos, load, random: laneRandom, poison, note: log };
    const schedule = new FaultSchedule(
      laneRandom,
      kinds,
      serviceNames,
      consumerQueues(o.mode).map((q) => q.queue),
    );
    while (goOn(kinds)) {
      const plan = schedule.next();
      const fault = { seq: ++seq, kind: plan.kind, detail: describePlan(plan), startedAt: Date.now() } as History['faults'][number];
      history.faults.push(fault);
      log(`fault #${fault.seq} (${name}) ${plan.kind}: ${fault.detail}`);
      try {
        const more = await inject(plan, ctx);
        if (more) fault.detail += ` — ${more}`;
      } catch (err) {
        fault.error = (err as Error).message;
        log(`  #${fault.seq} could not inject or heal: ${fault.error}`);
        await healEverything(chaos, log);
      }
      fault.healedAt = Date.now();
      const recovery = await measureRecovery(chaos, load, fault.healedAt, o.recoveryTimeoutMs ?? 120_000);
      if (recovery !== undefined) fault.recoveryMs = recovery;
      log(
        `  #${fault.seq} ${plan.kind} healed after ${((fault.healedAt - fault.startedAt) / 1000).toFixed(1)} s; ${recovery === undefined ? 'NOT recovered in time' : `a fresh order decided ${(recovery / 1000).toFixed(1)} s later`}`,
      );
      history.recordFault(fault);
      await sleep(laneRandom.int(gapMin, gapMax));
    }
  };
  await Promise.all([
    lane(
      'processes',
      o.kinds.filter((k) => processFaultKinds.includes(k)),
      Math.imul(o.seed, 2654435761) ^ 0x1,
    ),
    lane(
      'network',
      o.kinds.filter((k) => networkFaultKinds.includes(k)),
      Math.imul(o.seed, 2246822519) ^ 0x2,
    ),
  ]);
  const faultPhaseMs = Date.now() - faultStart;
  log(`faults done (${seq}); stopping the load and letting the system settle`);
  await load.stop();
  await healEverything(chaos, log);
  const settled = await settle(chaos, o.settleTimeoutMs ?? 300_000, log);
  log(
    settled.quiet
      ? `quiet after ${(settled.ms / 1000).toFixed(1)} s`
      : `NOT quiet after ${(settled.ms / 1000).toFixed(1)} s: ${JSON.stringify(settled.last)}`,
  );

  // --- check ----------------------------------------------------------------------------------
  const customers = [...new Set(history.operations.map((op) => op.customerId))];
  const facts = await gatherFacts(chaos, customers, Object.keys(initialStock));
  const result = checkInvariants(history, facts, { modes: chaos.modesRun(), initialStock, poison });
  const restartCheck = checkRestarts(chaos);
  if (restartCheck.violation) result.violations.push(restartCheck.violation);
  if (!settled.quiet)
    result.violations.push({ invariant: 'the system settles after the faults', detail: JSON.stringify(settled.last), orderIds: [] });
  const explained = await Promise.all(
    result.violations.map(async (v, i) =>
      i < 10 && v.orderIds.length > 0
        ? { ...v, history: (await Promise.all(v.orderIds.slice(0, 3).map((id) => explainOrder(id, history, chaos, t0)))).join('\n') }
        : v,
    ),
  );

  const byKind = (items: { kind: string }[]) => {
    const counts: Record<string, number> = {};
    for (const x of items) counts[x.kind] = (counts[x.kind] ?? 0) + 1;
    return counts;
  };
  const report: ChaosReport = {
    ...result,
    ok: result.violations.length === 0 && result.lost === 0 && result.doubled === 0 && result.conservation.held,
    mode: o.mode,
    seed: o.seed,
    startedAt: new Date(t0).toISOString(),
    durationMs: Date.now() - t0,
    faultPhaseMs,
    settle: { quiet: settled.quiet, ms: settled.ms },
    load: {
      ratePerSecond: o.ratePerSecond,
      operations: history.operations.length,
      byKind: byKind(history.operations),
      skippedTicks: load.skipped,
    },
    faults: {
      total: history.faults.length,
      byKind: byKind(history.faults),
      failed: history.faults.filter((f) => f.error).length,
      list: history.faults.map((f) => ({ ...f, startedAt: f.startedAt - t0, healedAt: (f.healedAt ?? 0) - t0 })),
    },
    recovery: recoveryStats(history),
    restarts: restartCheck.summary,
    violations: explained,
    files: { history: join(o.stateDir, 'history.jsonl'), serviceLogs: join(o.stateDir, 'services.log') },
  };
  printReport(report, print);
  if (o.reportPath) await writeReport(o.reportPath, report);
  void runId;
  return report;
}

/** Places a fresh order right after the fault was lifted; the time until it is decided. */
async function measureRecovery(chaos: ChaosStack, load: LoadGenerator, healedAt: number, timeoutMs: number): Promise<number | undefined> {
  const { op } = load.spawn('canary');
  const deadline = healedAt + timeoutMs;
  while (Date.now() < deadline) {
    if (op.orderId) {
      try {
        const res = await chaos.api.http('order', `/orders/${op.orderId}`, { signal: AbortSignal.timeout(2000) });
        if (res.status === 200 && ['CONFIRMED', 'SHIPPED', 'DELIVERED', 'REJECTED', 'CANCELLED'].includes(res.body.status))
          return Date.now() - healedAt;
      } catch {
        // not answering yet
      }
    }
    await sleep(100);
  }
  return undefined;
}

/** Puts everything back, whatever a failed injection left: proxies passing, servers up, one instance each. */
async function healEverything(chaos: ChaosStack, log: (line: string) => void): Promise<void> {
  for (const p of chaos.proxies.values()) {
    p.amqp.heal();
    p.pg.heal();
  }
  if (!(await postgresAnswers(chaos.postgres.databaseUrl))) {
    log('  PostgreSQL is down: starting it');
    await chaos.postgres.start().catch((err) => log(`  PostgreSQL start: ${(err as Error).message}`));
  }
  try {
    await chaos.rabbit.ctl('await_startup', '--timeout', '5');
  } catch {
    log('  RabbitMQ is not running: starting it');
    await chaos.rabbit.startApp().catch(async () => {
      await chaos.rabbit.kill().catch(() => undefined);
      await chaos.rabbit.boot().catch((err) => log(`  RabbitMQ boot: ${(err as Error).message}`));
    });
  }
  for (const s of serviceNames) await chaos.stack.scale(s, 1).catch(() => undefined);
  await chaos.stack.ready(180_000).catch((err) => log(`  not every service is ready: ${(err as Error).message}`));
}

/** Every unexpected exit was followed by the local stack restarting the service. */
function checkRestarts(chaos: ChaosStack) {
  let unexpectedExits = 0;
  let backOnline = 0;
  let maxDownMs = 0;
  const pending = new Map<string, number>();
  for (const e of chaos.restarts) {
    const key = `${e.service}#${e.replica}`;
    if (e.phase === 'exited') {
      unexpectedExits++;
      pending.set(key, (pending.get(key) ?? 0) + 1);
    } else {
      backOnline++;
      maxDownMs = Math.max(maxDownMs, e.downMs);
      pending.delete(key);
    }
  }
  const stillDown = [...pending.keys()].filter((k) => k.endsWith('#0'));
  return {
    summary: { unexpectedExits, backOnline, maxDownMs },
    violation: stillDown.length
      ? { invariant: 'the local stack restarts a service that exits', detail: `not back: ${stillDown.join(', ')}`, orderIds: [] }
      : undefined,
  };
}
