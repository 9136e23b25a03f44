/**
 * `npm run bench`: end-to-end throughput, latency and CPU per order of the local stack, against the
 * machine's own limits measured in the same run. See docs/benchmark.md for what each number means.
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { localTokens } from '../local/identity.ts';
import { stackRunning } from '../local/local-stack.ts';
import { baseUrl } from '../local/services.ts';
import { highestSustained } from './backlog.ts';
import { achievedFraction, computeBound } from './bound.ts';
import { installSignalHandlers, onCleanup, runCleanup } from './cleanup.ts';
import { runClosedLoop } from './closed-loop.ts';
import { compareWith, loadEarlierRun } from './compare.ts';
import { CompletionWatcher } from './completions.ts';
import { cpuPerOrder } from './cpu-per-order.ts';
import { headline } from './figures.ts';
import { type Target, useFreshTarget } from './fresh-target.ts';
import { measureIdle } from './idle.ts';
import type { LoadSummary } from './load-result.ts';
import { closeWindow, openWindow, type WindowProbes } from './measure-window.ts';
import { runOpenLoop } from './open-loop.ts';
import { type BenchOptions, parseOptions, usage } from './options.ts';
import { OrderClient, restock } from './order-client.ts';
import { peer } from './peer.ts';
import { measurePgLimit } from './pg-limit.ts';
import { openStatements, type StatementsReport } from './pg-statements.ts';
import { backendDatabases, connectPgStats, databaseUrl, pgSettings, xactCommit } from './pg-stats.ts';
import { cpuBetween, startCpuSampler } from './process-cpu.ts';
import { progress, progressDone, silenceProgress } from './progress.ts';
import { orderlyVhost, otherVhostQueues, queuedMessages, vhostCounters } from './rabbit-api.ts';
import { measureBrokerLimit } from './rabbit-limit.ts';
import { type BenchReport, type StepResult, writeReport } from './report.ts';
import { renderReport } from './report-table.ts';
import { runCounts } from './run-counts.ts';
import { settle } from './settle.ts';
import { runSingleOrders } from './single-order.ts';
import { discoverStack } from './stack-discovery.ts';
import { startStack } from './stack-processes.ts';
import { judgeTargets } from './targets.ts';

const log = (s: string) => progressDone(`▸ ${s}`);

async function main(o: BenchOptions): Promise<void> {
  const startedAt = new Date().toISOString();
  const stamp = startedAt.replace(/[:.]/g, '-');
  const outDir = o.outDir;
  let startedByBench = false;
  let known: Record<string, number> = {};
  let fresh = false;
  // pg_stat_statements lives in the database of the URL the bench was given (`orderly` locally).
  const statementsUrl = databaseUrl();
  const earlier = o.compare ? loadEarlierRun(o.compare) : undefined; // a bad file stops the run before it starts anything
  const sagaMode = process.env.SAGA_MODE ?? 'choreography';
  if (!(await stackRunning())) {
    if (o.useRunning) throw new Error(`--use-running: nothing answers at ${baseUrl('order')}; start it with npm start`);
    const logFile = join(outDir, `${stamp}-stack.log`);
    await import('node:fs').then((fs) => fs.mkdirSync(outDir, { recursive: true }));
    const target = await useFreshTarget();
    fresh = true;
    log(`fresh database ${target.database} and vhost ${target.vhost}; starting the local stack (logs: ${logFile})`);
    const stack = await startStack({ logFile });
    onCleanup('local stack', () => stack.stop(), stack.kill);
    startedByBench = true;
    known = stack.pids;
  } else {
    log(`using the stack running at ${baseUrl('order')}`);
  }

  const pg = await connectPgStats();
  onCleanup('postgres stats connection', () => pg.close());
  const target: Target = { database: pg.database, vhost: orderlyVhost(), fresh };
  const statements = await openStatements(statementsUrl, target.database);
  if ('begin' in statements) onCleanup('pg_stat_statements connection', () => statements.close());
  else log(`pg_stat_statements not available (${statements.reason}): ${statements.howToEnable}; going on without it`);
  const pids = await discoverStack(pg, known);
  if (pids.missing.length) log(`warning: no process found for ${pids.missing.join(', ')}: their CPU is not counted`);
  const watcher = new CompletionWatcher();
  await watcher.start();
  onCleanup('completion queue', () => watcher.stop());
  const client = new OrderClient(1024);
  onCleanup('http agent', () => client.close());
  const tokens = await localTokens();
  await client.authorize(tokens);
  const cpuSampler = await startCpuSampler({
    services: pids.services,
    rabbit: pids.rabbit,
    postmaster: pids.postmaster,
    database: target.database,
    backendDatabases: () => backendDatabases(pg),
    ownBackends: () => ('begin' in statements ? [pg.ownPid, statements.ownPid] : [pg.ownPid]),
  });
  onCleanup('cpu sampler', () => cpuSampler.stop());
  const probes: WindowProbes = {
    cpu: cpuSampler,
    pg,
    watcher,
  };
  const timeoutMs = o.decisionTimeoutSec * 1000;
  const tick = (label: string, durationSec: number, t0: number) => (sent: number, decided: number) =>
    progress(
      `${label}: ${Math.min(durationSec, (performance.now() - t0) / 1000).toFixed(0)}/${durationSec} s, ${sent} sent, ${decided} decided`,
    );

  const leftover = await queuedMessages();
  if (leftover > 0) {
    log(`${leftover} messages already queued in the vhost (an earlier run's backlog?): letting the stack drain them first`);
    await settle(watcher, 'draining earlier backlog', 300_000);
  }
  await restock(tokens);
  log(`warm-up: ${o.warmupSec} s closed loop at 16`);
  const t = performance.now();
  await runClosedLoop(client, watcher, {
    concurrency: 16,
    durationMs: o.warmupSec * 1000,
    decisionTimeoutMs: timeoutMs,
    onTick: tick('warm-up', o.warmupSec, t),
  });
  await settle(watcher, 'warm-up');
  // A single order at a time, each 300 ms after the previous decision: no order shares the stack with another.
  const singleOrders = (when: string) =>
    runSingleOrders(client, watcher, {
      count: o.singleOrders,
      pauseMs: 300,
      decisionTimeoutMs: timeoutMs,
      onTick: (i) => progress(`single orders ${when}: ${i}/${o.singleOrders}`),
    });
  log(`${o.singleOrders} single orders on the idle stack, one at a time`);
  const beforeLoad = await singleOrders('before the load');
  await settle(watcher, 'single orders');

  if ('begin' in statements) await statements.begin();
  const runStart = { cpu: await cpuSampler.sample(), commits: await xactCommit(pg), vhost: await vhostCounters(), bench: watcher.received };
  const step = async (label: string, run: () => Promise<LoadSummary>): Promise<StepResult> => {
    await restock(tokens);
    const w0 = await openWindow(probes);
    const load = await run();
    const window = await closeWindow(probes, w0);
    const decided = load.confirmed + load.rejected;
    progressDone(`▸ ${label}: ${load.completedPerSec.toFixed(0)} orders/s completed, p99 ${load.latencyMs.p99.toFixed(1)} ms`);
    return {
      label,
      load,
      window,
      cpuPerOrder: cpuPerOrder(window.cpu, decided),
    };
  };
  const closed: StepResult[] = [];
  for (const c of o.concurrencies) {
    const t0 = performance.now();
    closed.push(
      await step(`closed loop, concurrency ${c}`, () =>
        runClosedLoop(client, watcher, {
          concurrency: c,
          durationMs: o.closedSec * 1000,
          decisionTimeoutMs: timeoutMs,
          onTick: tick(`closed ${c}`, o.closedSec, t0),
        }),
      ),
    );
  }
  const open: StepResult[] = [];
  const skippedRates: number[] = [];
  for (const rate of o.rates) {
    // Once a step collapses (under half its rate decided), higher rates only pile up a backlog.
    const last = open.at(-1)?.load;
    if (last?.backlog && last.backlog.decidedRateSecondHalf < 0.5 * (last.offeredRate ?? 0)) {
      skippedRates.push(rate);
      continue;
    }
    const t0 = performance.now();
    open.push(
      await step(`open loop, ${rate} orders/s`, () =>
        runOpenLoop(client, watcher, {
          rate,
          durationMs: o.openSec * 1000,
          decisionTimeoutMs: timeoutMs,
          onTick: tick(`open ${rate}/s`, o.openSec, t0),
        }),
      ),
    );
  }
  if (skippedRates.length) log(`skipped ${skippedRates.join(', ')} orders/s: the step below collapsed`);
  await settle(watcher, 'end of load');
  const runEnd = { cpu: await cpuSampler.sample(), commits: await xactCommit(pg), vhost: await vhostCounters(), bench: watcher.received };
  const pgStatements: StatementsReport = 'begin' in statements ? await statements.end(runEnd.bench - runStart.bench) : statements;
  log(`${o.singleOrders} single orders on the idle stack after the load`);
  const afterLoad = await singleOrders('after the load');
  await settle(watcher, 'single orders');
  log(`idle stack: ${o.idleSec} s with no orders`);
  const idle = await measureIdle(
    cpuSampler,
    watcher,
    o.idleSec,
    (sec) => progress(`idle stack: ${sec}/${o.idleSec} s`),
    () => otherVhostQueues(target.vhost),
  );
  cpuSampler.stop(); // the limit measurements below are not sampled

  log(`PostgreSQL limit: ${o.limitSec} s of small write transactions`);
  const pgLimit = await measurePgLimit({ clients: 32, durationSec: o.limitSec });
  log(`  ${pgLimit.txPerSec.toFixed(0)} tx/s (${pgLimit.tool})`);
  log(`RabbitMQ limit: ${o.limitSec} s of persistent confirmed messages through a quorum queue`);
  const brokerLimit = await measureBrokerLimit({ publishers: 8, window: 64, durationSec: o.limitSec });
  log(`  ${brokerLimit.msgsPerSec.toFixed(0)} msgs/s consumed (${brokerLimit.publishedPerSec.toFixed(0)}/s confirmed)`);

  const steps = [...closed, ...open];
  const cpu = cpuBetween(runStart.cpu, runEnd.cpu);
  const { counters, ordersCompleted, perOrder } = runCounts(runStart, runEnd, steps);
  const bound = computeBound({
    pgTxPerSec: pgLimit.txPerSec,
    commitsPerOrder: perOrder.commits,
    brokerMsgsPerSec: brokerLimit.msgsPerSec,
    deliveriesPerOrder: perOrder.deliveries,
  });
  const highestSustainedRate = highestSustained(
    open.map((s) => ({ rate: s.load.offeredRate ?? 0, verdict: s.load.backlog as NonNullable<LoadSummary['backlog']> })),
  );
  const bestCompletedPerSec = Math.max(
    0,
    ...closed.map((s) => s.load.completedPerSec),
    ...open.filter((s) => s.load.backlog?.sustained).map((s) => s.load.completedPerSec),
  );
  const boundFraction = achievedFraction(bestCompletedPerSec, bound);
  const cpuMsPerOrder = (cpu.stackSec * 1000) / Math.max(1, ordersCompleted);
  const singleOrder = { beforeLoad, afterLoad };
  const figures = headline({ highestSustainedRate, skippedRates, open, singleOrder, idle, perOrder });
  const comparison = earlier ? compareWith(figures, sagaMode, earlier) : undefined;
  const hopStep = open.filter((s) => s.load.backlog?.sustained).at(-1) ?? closed.at(-1);
  const report: BenchReport = {
    startedAt,
    options: o,
    skippedRates,
    machine: { cores: cpus().length, cpuModel: cpus()[0]?.model ?? '?', node: process.version },
    stack: {
      startedByBench,
      target,
      sagaMode,
      processes: new Set(Object.values(pids.services)).size < Object.keys(pids.services).length ? 'one' : 'per-service',
      pids: { ...pids.services, rabbitmq: pids.rabbit, postmaster: pids.postmaster },
      pg: await pgSettings(pg),
    },
    closed,
    open,
    ...(hopStep ? { hopStep } : {}),
    highestSustainedRate,
    bestCompletedPerSec,
    ordersCompleted,
    cpu: { ...cpu, msPerOrder: cpuMsPerOrder },
    pgStatements,
    perOrder,
    counters,
    limits: { pg: pgLimit, broker: brokerLimit },
    bound,
    boundFraction,
    singleOrder,
    idle,
    headline: figures,
    peer,
    ...(comparison ? { comparison } : {}),
    targets: judgeTargets(figures, sagaMode, comparison),
  };
  const files = await writeReport(outDir, stamp, report);
  console.log(`\n${renderReport(report)}\n\nJSON: ${files.json}\nchart: ${files.svg}`);
}

installSignalHandlers(silenceProgress);
let exitCode = 0;
try {
  const o = parseOptions(process.argv.slice(2));
  if (o === 'help') console.log(usage);
  else await main(o);
} catch (err) {
  progressDone();
  console.error(`bench failed: ${(err as Error).stack ?? err}`);
  exitCode = 1;
} finally {
  await runCleanup();
}
process.exit(exitCode);
