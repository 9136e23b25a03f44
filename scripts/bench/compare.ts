/**
 * `--compare <earlier report.json>`: this run's headline figures as ratios of another run's, judged
 * "within 25 %": the target wants orchestration within 25 % of choreography. Within means no worse
 * than 25 %: a rate at least 0.75× the other's, a latency or CPU at most 1.25× (better is within).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { type FiguresSource, type Headline, headline } from './figures.ts';

export const tolerance = 0.25;

export interface ComparisonRow {
  figure: string;
  better: 'higher' | 'lower';
  thisRun: number | undefined;
  other: number | undefined;
  /** thisRun ÷ other (NaN or ±Infinity when either is missing or zero). */
  ratio: number;
  /** undefined when either run lacks the figure; false when this run decided no order there (NaN), or skipped the step after a collapse while the other run measured it. */
  within: boolean | undefined;
}

export interface Comparison {
  file: string;
  otherStartedAt: string;
  otherSagaMode: string;
  sagaMode: string;
  tolerance: number;
  rows: ComparisonRow[];
  /** false if any figure is outside; true if every figure is within; otherwise undefined. */
  within: boolean | undefined;
}

/** `rate`: the open-loop step the figure comes from (skipped here after a collapse but measured there: outside). */
const figures: { key: Exclude<keyof Headline, 'skippedRates'>; figure: string; better: 'higher' | 'lower'; rate?: number }[] = [
  { key: 'sustainedPerSec', figure: 'highest rate sustained, orders/s', better: 'higher' },
  { key: 'p99At50Ms', figure: 'p99 at 50 orders/s, ms', better: 'lower', rate: 50 },
  { key: 'p99At100Ms', figure: 'p99 at 100 orders/s, ms', better: 'lower', rate: 100 },
  { key: 'machineCpuMsPerOrderAt100', figure: 'machine CPU per order at 100/s, ms', better: 'lower', rate: 100 },
  { key: 'singleOrderMs', figure: 'single order on an idle stack (p50), ms', better: 'lower' },
];

/** Pure: each figure of `a` against `b`. */
export function compareFigures(a: Headline, b: Headline): ComparisonRow[] {
  return figures.map(({ key, figure, better, rate }) => {
    const thisRun = a[key];
    const other = b[key];
    const ratio = thisRun !== undefined && other !== undefined ? thisRun / other : Number.NaN;
    let within: boolean | undefined;
    // Skipped after a collapse here while the other run measured it: worse. Both skipped: nothing to compare.
    const collapsed = thisRun === undefined && other !== undefined && rate !== undefined && a.skippedRates.includes(rate);
    if (collapsed || (thisRun !== undefined && Number.isNaN(thisRun))) within = false;
    else if (thisRun !== undefined && other !== undefined && !Number.isNaN(other))
      within = better === 'higher' ? thisRun >= (1 - tolerance) * other : thisRun <= (1 + tolerance) * other;
    return { figure, better, thisRun, other, ratio, within };
  });
}

export function overallWithin(rows: readonly ComparisonRow[]): boolean | undefined {
  if (rows.some((r) => r.within === false)) return false;
  return rows.every((r) => r.within === true) ? true : undefined;
}

// An earlier report's JSON: NaN was written as null; sections newer than that report may be absent.
const num = z
  .number()
  .nullable()
  .transform((v) => v ?? Number.NaN);
const latency = z.object({ p50: num, p99: num });
const reportFile = z.object({
  startedAt: z.string(),
  stack: z.object({ sagaMode: z.string() }),
  highestSustainedRate: z.number(),
  skippedRates: z.array(z.number()).optional(),
  open: z.array(
    z.object({
      load: z.object({ offeredRate: z.number().optional(), confirmed: z.number(), rejected: z.number(), latencyMs: latency }),
      window: z.object({ cpu: z.object({ machineBusySec: z.number() }) }),
    }),
  ),
  singleOrder: z
    .object({ beforeLoad: z.object({ latencyMs: latency }).optional(), afterLoad: z.object({ latencyMs: latency }).optional() })
    .optional(),
  idle: z.object({ stackPercentOfCore: num }).optional(),
});

export interface EarlierRun {
  file: string;
  startedAt: string;
  sagaMode: string;
  headline: Headline;
}

/** Reads and checks an earlier report; throws an error naming the file and what is wrong with it. */
export function loadEarlierRun(file: string): EarlierRun {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`--compare ${file}: cannot read it (${(err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`--compare ${file}: not JSON (expected a bench/results/<timestamp>.json of an earlier run)`);
  }
  const parsed = reportFile.safeParse(json);
  if (!parsed.success) throw new Error(`--compare ${file}: not a bench report:\n${z.prettifyError(parsed.error)}`);
  const r: FiguresSource & { startedAt: string; stack: { sagaMode: string } } = parsed.data;
  return { file, startedAt: r.startedAt, sagaMode: r.stack.sagaMode, headline: headline(r) };
}

export function compareWith(current: Headline, sagaMode: string, earlier: EarlierRun): Comparison {
  const rows = compareFigures(current, earlier.headline);
  return {
    file: earlier.file,
    otherStartedAt: earlier.startedAt,
    otherSagaMode: earlier.sagaMode,
    sagaMode,
    tolerance,
    rows,
    within: overallWithin(rows),
  };
}
