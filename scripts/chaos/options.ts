/** `npm run chaos -- [options]`: what to run, read from the command line. */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type SagaMode, sagaModes } from '@orderly/events';
import { newSeed } from './random.ts';
import { type FaultKind, faultKinds, quickFaultKinds } from './schedule.ts';

export const usage = `npm run chaos -- [options]

  --mode choreography|orchestration|both   saga mode(s); both runs one after the other (default both)
  --minutes N        length of the fault phase (default 20; --quick: 1)
  --min-faults N     go on until at least N faults were injected (default 100; --quick: 0)
  --seed N           repeat a run: the workload and the fault schedule follow the seed
  --rate N           operations per second offered (default 4)
  --faults a,b,…     fault kinds (default all; --quick: the quick ones): ${faultKinds.join(', ')}
  --out FILE         the JSON report (default <state dir>/report-<mode>.json); with --mode both, -<mode> is added
  --keep             keep the run's servers' data and logs
  --quick            the one-minute run of npm test
`;

export interface CliOptions {
  modes: SagaMode[];
  minutes: number;
  minFaults: number;
  seed: number;
  rate: number;
  kinds: FaultKind[];
  out: string | undefined;
  keep: boolean;
  stateRoot: string;
}

export const stateRoot = () => join(process.env.ORDERLY_STATE_DIR ?? '/var/tmp/orderly', 'chaos');

export function parseCli(argv: string[]): CliOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      mode: { type: 'string', default: 'both' },
      minutes: { type: 'string' },
      'min-faults': { type: 'string' },
      seed: { type: 'string' },
      rate: { type: 'string', default: '4' },
      faults: { type: 'string' },
      out: { type: 'string' },
      keep: { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const modes = values.mode === 'both' ? [...sagaModes] : [values.mode as SagaMode];
  if (!modes.every((m) => sagaModes.includes(m))) throw new Error(`--mode: ${values.mode}\n${usage}`);
  const kinds = (values.faults?.split(',') ?? (values.quick ? quickFaultKinds : [...faultKinds])) as FaultKind[];
  const unknown = kinds.filter((k) => !faultKinds.includes(k));
  if (unknown.length) throw new Error(`--faults: unknown ${unknown.join(', ')}\n${usage}`);
  const num = (v: string | undefined, d: number) => (v === undefined ? d : Number(v));
  return {
    modes,
    minutes: num(values.minutes, values.quick ? 1 : 20),
    minFaults: num(values['min-faults'], values.quick ? 0 : 100),
    seed: num(values.seed, newSeed()),
    rate: num(values.rate, 4),
    kinds,
    out: values.out,
    keep: values.keep,
    stateRoot: stateRoot(),
  };
}
