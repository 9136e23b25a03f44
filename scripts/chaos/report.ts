/**
 * The run's report: printed so that a reader can trust it at a glance (orders, faults by kind,
 * lost, doubled, conservation, recovery times), and written as JSON. A violation is printed with
 * the history of the orders it concerns.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ChaosStack } from './chaos-stack.ts';
import type { History } from './history.ts';
import type { CheckResult } from './invariants.ts';
import { faultKinds } from './schedule.ts';

export interface RecoveryStats {
  n: number;
  p50Ms: number | null;
  maxMs: number | null;
  notRecovered: number;
}

export interface ChaosReport extends Omit<CheckResult, 'violations'> {
  ok: boolean;
  mode: string;
  seed: number;
  startedAt: string;
  durationMs: number;
  faultPhaseMs: number;
  settle: { quiet: boolean; ms: number };
  load: { ratePerSecond: number; operations: number; byKind: Record<string, number>; skippedTicks: number };
  faults: { total: number; byKind: Record<string, number>; failed: number; list: unknown[] };
  recovery: Record<string, RecoveryStats>;
  restarts: { unexpectedExits: number; backOnline: number; maxDownMs: number };
  violations: (CheckResult['violations'][number] & { history?: string })[];
  files: { history: string; serviceLogs: string };
}

export function recoveryStats(history: History): Record<string, RecoveryStats> {
  const out: Record<string, RecoveryStats> = {};
  for (const kind of faultKinds) {
    const of = history.faults.filter((f) => f.kind === kind);
    if (of.length === 0) continue;
    const times = of.flatMap((f) => (f.recoveryMs === undefined ? [] : [f.recoveryMs])).sort((a, b) => a - b);
    out[kind] = {
      n: of.length,
      p50Ms: times.length ? times[Math.ceil(times.length / 2) - 1]! : null,
      maxMs: times.length ? times.at(-1)! : null,
      notRecovered: of.length - times.length,
    };
  }
  return out;
}

const s = (ms: number | null) => (ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`);

export function printReport(r: ChaosReport, print: (line: string) => void): void {
  const mark = (ok: boolean) => (ok ? '✓' : '✗');
  print('');
  print(
    `━━ chaos report · ${r.mode} · seed ${r.seed} · ${(r.durationMs / 60_000).toFixed(1)} min (faults ${(r.faultPhaseMs / 60_000).toFixed(1)} min) ━━`,
  );
  print(
    `orders     ${r.accepted} accepted of ${r.load.operations} operations (${Object.entries(r.load.byKind)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')})`,
  );
  print(
    `           outcomes: ${Object.entries(r.outcomes)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
  );
  print(
    `           no answer: ${r.indeterminate.operations} requests, ${r.indeterminate.orderFound} of them created an order anyway (each accounted for)`,
  );
  print(
    `faults     ${r.faults.total} injected: ${Object.entries(r.faults.byKind)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}${r.faults.failed ? ` (${r.faults.failed} could not be injected)` : ''}`,
  );
  print(
    `restarts   ${r.restarts.unexpectedExits} unexpected exits, ${r.restarts.backOnline} restarted by the local stack (longest down ${s(r.restarts.maxDownMs)})`,
  );
  print(`${mark(r.lost === 0)} lost       ${r.lost}`);
  print(`${mark(r.doubled === 0)} doubled    ${r.doubled}`);
  print(
    `${mark(r.conservation.held)} stock      ${r.conservation.held ? 'conserved' : 'NOT conserved'}: ${Object.entries(r.conservation.perSku)
      .map(([sku, c]) => `${sku} ${c.available}+${c.reserved}+${c.sold}=${c.initial}`)
      .join(', ')}`,
  );
  print(`${mark(r.settle.quiet)} settled    in ${s(r.settle.ms)} after the last fault`);
  print(`  dlq        ${r.dlq.found} of ${r.dlq.expected} injected poison messages parked, nothing else`);
  print(
    `  notified   ${r.notifications} outcomes; audit log ${r.auditEvents} events${r.sagaTimeouts ? `; ${r.sagaTimeouts} saga timeouts` : ''}`,
  );
  print('recovery   kind              n    p50      max');
  for (const [kind, st] of Object.entries(r.recovery)) {
    print(
      `           ${kind.padEnd(16)} ${String(st.n).padStart(3)}  ${s(st.p50Ms).padStart(7)}  ${s(st.maxMs).padStart(7)}${st.notRecovered ? `  (${st.notRecovered} not within the limit)` : ''}`,
    );
  }
  if (r.violations.length === 0) {
    print(`✓ every invariant holds`);
  } else {
    print(`✗ ${r.violations.length} violations`);
    for (const v of r.violations.slice(0, 25)) {
      print(`  • ${v.invariant}: ${v.detail}`);
      if (v.history) for (const line of v.history.split('\n')) print(`      ${line}`);
    }
    if (r.violations.length > 25) print(`  … and ${r.violations.length - 25} more (in the JSON report)`);
  }
  print(`files      report JSON, history ${r.files.history}, service logs ${r.files.serviceLogs}`);
}

export async function writeReport(path: string, r: ChaosReport): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(r, null, 2)}\n`);
}

/** The history around an order: the request(s), the answers, the activity log's timeline, the faults near it. */
export async function explainOrder(orderId: string, history: History, chaos: ChaosStack, t0: number): Promise<string> {
  const rel = (t: number) => `+${((t - t0) / 1000).toFixed(1)}s`;
  const lines: string[] = [`order ${orderId}`];
  const op = history.byOrderId().get(orderId);
  if (op) {
    lines.push(`  operation ${op.id} ${op.kind} ${JSON.stringify(op.body)}${op.idempotencyKey ? ` key ${op.idempotencyKey}` : ''}`);
    for (const a of op.attempts) lines.push(`  ${rel(a.at)} POST /orders → ${a.status ?? a.error}${a.orderId ? ` ${a.orderId}` : ''}`);
    for (const c of op.cancel ?? [])
      lines.push(`  ${rel(c.at)} POST /cancel → ${c.status ?? c.error}${c.orderStatus ? ` ${c.orderStatus}` : ''}`);
  }
  try {
    const { rows } = await chaos.db.query(`SELECT type, source, time FROM audit.activity WHERE order_id = $1 ORDER BY time`, [orderId]);
    for (const r of rows) lines.push(`  ${rel((r.time as Date).getTime())} ${r.type} (${r.source})`);
    const o = (await chaos.db.query(`SELECT status, reason, updated_at FROM "order".orders WHERE id = $1`, [orderId])).rows[0];
    if (o) lines.push(`  order row: ${o.status}${o.reason ? `/${o.reason}` : ''} at ${rel((o.updated_at as Date).getTime())}`);
    const p = (await chaos.db.query(`SELECT status, amount_cents FROM payment.payments WHERE order_id = $1`, [orderId])).rows[0];
    if (p) lines.push(`  payment row: ${p.status} ${p.amount_cents}`);
  } catch (err) {
    lines.push(`  (could not read the timeline: ${(err as Error).message})`);
  }
  if (op) {
    for (const f of history.faultsAround(op.startedAt, op.endedAt ?? Date.now())) {
      lines.push(`  fault #${f.seq} ${f.kind} ${f.detail} ${rel(f.startedAt)}–${f.healedAt ? rel(f.healedAt) : '?'}`);
    }
  }
  return lines.join('\n');
}
