import { join } from 'node:path';
import type { SagaMode } from '@orderly/events';
import test from 'ava';
import { stateRoot } from '../options.ts';
import { newSeed } from '../random.ts';
import { runChaos } from '../run.ts';
import { quickFaultKinds } from '../schedule.ts';

/**
 * The short chaos run that `npm test` (and so CI) keeps: about a minute of faults of every kind
 * that is quick to inject — kill -9 of services (mid-burst too), replicas scaled out and in,
 * PostgreSQL crashed, hanging and slow links, duplicated and reordered deliveries, poison — under
 * load, then every invariant. One saga mode per run, alternating with the seed's parity (both
 * modes get the long run; see docs/chaos.md). It runs on servers of its own, so it runs beside
 * the other test files without touching their broker or database. CHAOS_SEED repeats a run.
 */
test('under a minute of quick faults, no order is lost or doubled and stock is conserved', async (t) => {
  t.timeout(15 * 60_000);
  const seed = Number(process.env.CHAOS_SEED ?? newSeed());
  const mode: SagaMode = seed % 2 === 0 ? 'choreography' : 'orchestration';
  const lines: string[] = [];
  const report = await runChaos({
    mode,
    seed,
    durationMs: 60_000,
    minFaults: quickFaultKinds.length,
    kinds: quickFaultKinds,
    ratePerSecond: 4,
    customers: 30,
    gapMs: [500, 1500],
    recoveryTimeoutMs: 60_000,
    settleTimeoutMs: 180_000,
    stateDir: join(stateRoot(), `short-${mode}-${process.pid}`),
    log: (line) => lines.push(line),
  });
  t.log(lines.join('\n'));
  t.is(report.lost, 0, 'lost');
  t.is(report.doubled, 0, 'doubled');
  t.true(report.conservation.held, 'stock conserved');
  t.deepEqual(report.violations, [], 'every invariant holds');
  for (const kind of quickFaultKinds) t.true((report.faults.byKind[kind] ?? 0) >= 1, `${kind} injected`);
  t.true(report.restarts.backOnline >= (report.faults.byKind['kill-9'] ?? 0), 'the local stack restarted every killed service');
  t.true(report.accepted > 100, `load: ${report.accepted} orders accepted`);
});
