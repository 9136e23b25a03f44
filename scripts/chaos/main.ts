/**
 * `npm run chaos`: the whole pipeline under steady load while its parts crash, restart and lose
 * the network, then every invariant checked over the whole history. Runs on servers
 * of its own (see chaos-stack.ts), so it never disturbs the shared RabbitMQ and PostgreSQL.
 * Exits non-zero when any invariant is violated.
 */
import { join } from 'node:path';
import { parseCli } from './options.ts';
import { runChaos } from './run.ts';

const cli = parseCli(process.argv.slice(2));
let failed = false;
for (const mode of cli.modes) {
  const stateDir = join(cli.stateRoot, `${mode}-${process.pid}`);
  const out = cli.out
    ? cli.modes.length > 1
      ? cli.out.replace(/(\.json)?$/, `-${mode}.json`)
      : cli.out
    : join(cli.stateRoot, `report-${mode}.json`);
  const report = await runChaos({
    mode,
    seed: cli.seed,
    durationMs: cli.minutes * 60_000,
    minFaults: cli.minFaults,
    kinds: cli.kinds,
    ratePerSecond: cli.rate,
    customers: 60,
    stateDir,
    reportPath: out,
    keepState: cli.keep,
  });
  console.log(`report: ${out}`);
  if (!report.ok) failed = true;
}
process.exit(failed ? 1 : 0);
