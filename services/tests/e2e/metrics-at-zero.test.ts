import { spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { metricNamesIn, Stack } from '@orderly/testkit';
import test from 'ava';
import { parse } from 'yaml';

/**
 * Before a single order: every series a dashboard panel or an alert rule names is already served
 * (at zero), so a panel shows 0 rather than "No data" and a rule can be tested against zero; and
 * each service's /metrics, as a tool asks for it, passes `promtool check metrics`.
 */
const root = join(import.meta.dirname, '../../..');
const files = join(root, 'charts/orderly/files');
/** The broker's own (rabbitmq_prometheus) and the console's (services/console/test/recording.test.ts). */
const servedElsewhere = (name: string) => name.startsWith('rabbitmq_') || name.startsWith('orderly_dead_letter');

let stack: Stack;
test.before(async () => {
  stack = await (await Stack.create('metrics_at_zero')).start();
});
test.after.always(() => stack?.dispose());

async function namedByChart(): Promise<string[]> {
  const exprs: string[] = [];
  for (const file of (await readdir(join(files, 'dashboards'))).filter((f) => f.endsWith('.json'))) {
    const text = await readFile(join(files, 'dashboards', file), 'utf8');
    for (const m of text.matchAll(/"expr":\s*"((?:[^"\\]|\\.)*)"/g)) exprs.push(JSON.parse(`"${m[1]}"`) as string);
  }
  const rules = parse(await readFile(join(files, 'alerts/orderly.yaml'), 'utf8')) as { groups: { rules: { expr: string }[] }[] };
  exprs.push(...rules.groups.flatMap((g) => g.rules.map((r) => String(r.expr))));
  const grafana = (e: string) => e.replaceAll('$__rate_interval', '1m').replaceAll('$__range', '5m').replaceAll('$__interval', '15s');
  return [...new Set(exprs.flatMap((e) => metricNamesIn(grafana(e))))];
}

/** Every sample name of a text exposition. */
const samplesIn = (text: string) =>
  new Set(text.split('\n').flatMap((l) => (/^([a-zA-Z_:][\w:]*)[{ ]/.exec(l)?.[1] ? [/^([a-zA-Z_:][\w:]*)/.exec(l)![1]!] : [])));

test('when the stack has handled nothing yet, then every series the dashboards and alerts name is served, and promtool accepts each service’s metrics', async (t) => {
  const served = new Set<string>();
  for (const name of stack.services.keys()) {
    const text = await (await fetch(stack.url(name, '/metrics'))).text();
    for (const s of samplesIn(text)) served.add(s);
    const run = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    const findings = `${run.stdout}${run.stderr}`
      .split('\n')
      .filter((l) => l.trim() !== '' && !/^nodejs_active_(handles|requests|resources)_total non-counter/.test(l));
    t.deepEqual(findings, [], `${name}: promtool check metrics`);
  }
  const names = await namedByChart();
  t.true(names.length > 20, `names found: ${names.length}`);
  // Recording rules define names the dashboards then use: those come from Prometheus, not a service.
  const recorded = new Set(
    (parse(await readFile(join(files, 'alerts/orderly.yaml'), 'utf8')) as { groups: { rules: { record?: string }[] }[] }).groups.flatMap(
      (g) => g.rules.flatMap((r) => (r.record ? [r.record] : [])),
    ),
  );
  t.deepEqual(
    names.filter((n) => !served.has(n) && !servedElsewhere(n) && !recorded.has(n)),
    [],
  );
});
