/** Collects check outcomes and prints one compact summary; the process fails if any check failed. */
export type Outcome = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  name: string;
  outcome: Outcome;
  detail?: string;
  problems: string[];
}

export class Report {
  readonly results: CheckResult[] = [];

  add(name: string, problems: string[], detail?: string): void {
    this.results.push({ name, outcome: problems.length === 0 ? 'pass' : 'fail', problems, ...(detail ? { detail } : {}) });
  }

  skip(name: string, why: string): void {
    this.results.push({ name, outcome: 'skip', detail: why, problems: [] });
  }

  /** Runs a check, turning a thrown error into a failure of that check (the others still run). */
  async run(name: string, check: () => Promise<string[] | { problems: string[]; detail: string }>): Promise<void> {
    try {
      const r = await check();
      if (Array.isArray(r)) this.add(name, r);
      else this.add(name, r.problems, r.detail);
    } catch (err) {
      this.add(name, [`crashed: ${(err as Error).stack ?? err}`]);
    }
  }

  get failed(): boolean {
    return this.results.some((r) => r.outcome === 'fail');
  }

  format(maxProblems = 15): string {
    const mark = { pass: '✔', fail: '✘', skip: '–' } as const;
    const lines: string[] = [];
    for (const r of this.results) {
      lines.push(`${mark[r.outcome]} ${r.name}${r.detail ? `  (${r.detail})` : ''}`);
      for (const p of r.problems.slice(0, maxProblems)) lines.push(`    ${p}`);
      if (r.problems.length > maxProblems) lines.push(`    … and ${r.problems.length - maxProblems} more`);
    }
    const count = (o: Outcome) => this.results.filter((r) => r.outcome === o).length;
    lines.push('', `${count('pass')} passed, ${count('fail')} failed, ${count('skip')} skipped`);
    return lines.join('\n');
  }
}
