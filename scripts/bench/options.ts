/** Command-line options of `npm run bench`. */
import { parseArgs } from 'node:util';

export interface BenchOptions {
  quick: boolean;
  useRunning: boolean;
  warmupSec: number;
  concurrencies: number[];
  closedSec: number;
  rates: number[];
  openSec: number;
  limitSec: number;
  decisionTimeoutSec: number;
  /** Orders placed one at a time on the idle stack, before and after the load. */
  singleOrders: number;
  /** Seconds of the idle window (no orders) after the load. */
  idleSec: number;
  /** An earlier run's JSON to compare this run's figures with. */
  compare?: string;
  outDir: string;
}

export const usage = `npm run bench -- [options]
  --quick               short run (≈ 2–3 minutes): short steps, same shape
  --use-running         measure the stack already running (fail if none); without it the bench
                        starts the local stack when nothing answers on the order port, and stops it after
  --concurrency 16,64   closed-loop concurrencies (default 16,64,256)
  --rates 50,100        open-loop rates, orders/s (default 25,50,100,150,200)
  --closed-sec N        seconds per closed-loop step (default 30, quick 4)
  --open-sec N          seconds per open-loop step (default 40, quick 5)
  --warmup-sec N        warm-up seconds (default 10, quick 3)
  --limit-sec N         seconds per machine-limit test (default 15, quick 4)
  --single-orders N     orders placed one at a time on the idle stack, before and after the load (default 30, quick 10)
  --idle-sec N          seconds of the idle-stack CPU window (default 30, quick 5)
  --compare FILE        an earlier run's JSON: print this run's figures as ratios of it, judged within 25 %
                        (SAGA_MODE=orchestration npm run bench -- --compare <choreography run>.json)
  --out DIR             where the JSON and SVG go (default bench/results)`;

const list = (s: string, name: string) =>
  s.split(',').map((x) => {
    const n = Number(x.trim());
    if (!(n > 0)) throw new Error(`--${name}: "${x}" is not a positive number (expected e.g. 16,64,256)`);
    return n;
  });
const num = (s: string | undefined, name: string, fallback: number) => {
  if (s === undefined) return fallback;
  const n = Number(s);
  if (!(n > 0)) throw new Error(`--${name}: "${s}" is not a positive number`);
  return n;
};

export function parseOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      'use-running': { type: 'boolean', default: false },
      concurrency: { type: 'string' },
      rates: { type: 'string' },
      'closed-sec': { type: 'string' },
      'open-sec': { type: 'string' },
      'warmup-sec': { type: 'string' },
      'limit-sec': { type: 'string' },
      'single-orders': { type: 'string' },
      'idle-sec': { type: 'string' },
      compare: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const quick = values.quick as boolean;
  return {
    quick,
    useRunning: values['use-running'] as boolean,
    warmupSec: num(values['warmup-sec'], 'warmup-sec', quick ? 3 : 10),
    concurrencies: values.concurrency ? list(values.concurrency, 'concurrency') : [16, 64, 256],
    closedSec: num(values['closed-sec'], 'closed-sec', quick ? 4 : 30),
    rates: values.rates ? list(values.rates, 'rates') : [25, 50, 100, 150, 200],
    openSec: num(values['open-sec'], 'open-sec', quick ? 5 : 40),
    limitSec: num(values['limit-sec'], 'limit-sec', quick ? 4 : 15),
    decisionTimeoutSec: quick ? 15 : 30,
    singleOrders: Math.round(num(values['single-orders'], 'single-orders', quick ? 10 : 30)),
    idleSec: num(values['idle-sec'], 'idle-sec', quick ? 5 : 30),
    ...(values.compare ? { compare: values.compare } : {}),
    outDir: values.out ?? 'bench/results',
  };
}
