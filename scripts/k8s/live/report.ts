import type { Readiness } from './readiness.js';
import type { ScalingVerdict } from './scaling-watch.js';
import type { ScenarioResult } from './scenarios.js';

export interface LiveReport {
  readiness: Readiness[];
  scenarios: ScenarioResult[];
  scaling: ScalingVerdict[];
  orders: { sent: number; failed: number; seconds: number };
}

export const livePassed = (r: LiveReport) =>
  r.readiness.every((x) => x.ready) && r.scenarios.every((s) => s.passed) && r.scaling.every((s) => s.passed);

/** The printed report: one line per thing checked, then the verdict. */
export function formatLiveReport(r: LiveReport): string {
  const mark = (ok: boolean) => (ok ? '✔' : '✘');
  const secs = (n: number | undefined) => (n === undefined ? '–' : `${n}s`);
  const lines = ['Readiness'];
  for (const x of r.readiness) lines.push(`  ${mark(x.ready)} ${x.name}: ${x.why}`);
  lines.push('Demo scenarios');
  for (const s of r.scenarios) lines.push(`  ${mark(s.passed)} ${s.name}: ${s.detail}  [${s.path.join(' → ')}]`);
  lines.push(`Load: ${r.orders.sent} orders in ${r.orders.seconds}s (${r.orders.failed} requests failed)`);
  lines.push('Autoscaling (replicas: baseline → peak → end; peak queue depth; time to scale up / back down)');
  for (const v of r.scaling) {
    lines.push(
      `  ${mark(v.passed)} ${v.consumer.padEnd(13)} ${v.baselineReplicas} → ${v.peakReplicas} → ${v.finalReplicas}; depth ≤ ${v.peakDepth}; up ${secs(v.scaleUpAfter)}, down ${secs(v.scaleDownAfter)} — ${v.note}`,
    );
  }
  lines.push('', livePassed(r) ? 'PASS' : 'FAIL');
  return lines.join('\n');
}
