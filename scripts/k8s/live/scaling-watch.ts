/**
 * Pure analysis of a load run: for each consumer, samples of its queue depth (ready + unacked, as
 * KEDA counts it) and its Deployment's replicas over time; did replicas rise with the backlog and
 * fall back once it drained?
 */
export interface Sample {
  /** Seconds since the run started. */
  t: number;
  consumer: string;
  depth: number;
  replicas: number;
}

export interface ScalingVerdict {
  consumer: string;
  baselineReplicas: number;
  peakReplicas: number;
  peakDepth: number;
  finalReplicas: number;
  /** Seconds from the first sample with a backlog above the target to the first replica added. */
  scaleUpAfter?: number;
  /** Seconds from the queue draining to replicas back at the baseline. */
  scaleDownAfter?: number;
  rose: boolean;
  fellBack: boolean;
  passed: boolean;
  note: string;
}

export function analyseConsumer(consumer: string, samples: Sample[], queueLengthTarget: number): ScalingVerdict {
  const s = samples.filter((x) => x.consumer === consumer).sort((a, b) => a.t - b.t);
  if (s.length === 0) {
    return {
      consumer,
      baselineReplicas: 0,
      peakReplicas: 0,
      peakDepth: 0,
      finalReplicas: 0,
      rose: false,
      fellBack: false,
      passed: false,
      note: 'no samples',
    };
  }
  const baselineReplicas = s[0]!.replicas;
  const peakReplicas = Math.max(...s.map((x) => x.replicas));
  const peakDepth = Math.max(...s.map((x) => x.depth));
  const finalReplicas = s.at(-1)!.replicas;
  const backlogAt = s.find((x) => x.depth > queueLengthTarget * baselineReplicas)?.t;
  const firstUp = s.find((x) => x.replicas > baselineReplicas)?.t;
  const peakAt = s.find((x) => x.replicas === peakReplicas)!.t;
  const drainedAt = s.find((x) => x.t >= peakAt && x.depth === 0)?.t;
  const backAt = drainedAt === undefined ? undefined : s.find((x) => x.t >= drainedAt && x.replicas <= baselineReplicas)?.t;
  const rose = peakReplicas > baselineReplicas;
  const fellBack = finalReplicas <= baselineReplicas;
  const needed = backlogAt !== undefined;
  const passed = needed ? rose && fellBack : fellBack;
  const note = !needed
    ? `backlog never exceeded ${queueLengthTarget} per replica: no scale-up was needed`
    : !rose
      ? `backlog reached ${peakDepth} but replicas stayed at ${baselineReplicas}`
      : !fellBack
        ? `still ${finalReplicas} replicas at the end (baseline ${baselineReplicas})`
        : `scaled ${baselineReplicas}→${peakReplicas}→${finalReplicas}`;
  return {
    consumer,
    baselineReplicas,
    peakReplicas,
    peakDepth,
    finalReplicas,
    ...(backlogAt !== undefined && firstUp !== undefined ? { scaleUpAfter: firstUp - backlogAt } : {}),
    ...(drainedAt !== undefined && backAt !== undefined ? { scaleDownAfter: backAt - drainedAt } : {}),
    rose,
    fellBack,
    passed,
    note,
  };
}

/** The watch ends when every queue is empty and every consumer is back at its baseline, or at the deadline. */
export function watchDone(samples: Sample[], baselines: Record<string, number>): boolean {
  const latest = new Map<string, Sample>();
  for (const x of samples) if ((latest.get(x.consumer)?.t ?? -1) <= x.t) latest.set(x.consumer, x);
  return Object.entries(baselines).every(([c, base]) => {
    const l = latest.get(c);
    return l !== undefined && l.depth === 0 && l.replicas <= base;
  });
}
