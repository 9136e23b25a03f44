import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@orderly/platform/testing';
import { parser } from '@prometheus-io/lezer-promql';
import { freePort } from './process.js';
import { prometheusBinary, prometheusConfig, type ScrapeTarget } from './prometheus-config.js';

export { prometheusBinary, type ScrapeTarget } from './prometheus-config.js';

export interface QueryResult {
  resultType: string;
  result: { metric: Record<string, string>; value?: [number, string] }[];
}

export interface RuleState {
  name: string;
  query: string;
  type: 'alerting' | 'recording';
  health: string;
  lastError?: string;
  lastEvaluation: string;
}

/** A real Prometheus in a temporary directory, scraping every second, with exemplar storage on. */
export class Prometheus {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly output: () => string,
  ) {}

  static async start(targets: ScrapeTarget[], ruleFiles: string[] = []): Promise<Prometheus> {
    await access(prometheusBinary).catch(() => {
      throw new Error(
        `${prometheusBinary} not found: install the Debian package prometheus (scripts/setup.sh does), or set PROMETHEUS_BIN`,
      );
    });
    const dir = await mkdtemp(join(tmpdir(), 'orderly-prometheus-'));
    const config = prometheusConfig(targets, ruleFiles, { scrapeInterval: '1s', evaluationInterval: '1s' });
    await writeFile(join(dir, 'prometheus.yml'), JSON.stringify(config, null, 2));
    const port = await freePort();
    const child = spawn(
      prometheusBinary,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--enable-feature=exemplar-storage',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout?.on('data', (d) => {
      output += d;
    });
    child.stderr?.on('data', (d) => {
      output += d;
    });
    const prometheus = new Prometheus(`http://127.0.0.1:${port}`, child, dir, () => output);
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}: ${output}`);
        return (await fetch(`${prometheus.url}/-/ready`)).ok ? true : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 100, what: 'prometheus to be ready' },
    ).catch(async (err) => {
      await prometheus.stop();
      throw err;
    });
    return prometheus;
  }

  /** Instant query; rejects with Prometheus's own message when the expression does not parse or fails. */
  async query(expr: string): Promise<QueryResult> {
    return this.api<QueryResult>('query', { query: expr });
  }

  async metricNames(): Promise<string[]> {
    return this.api<string[]>('label/__name__/values');
  }

  async rules(): Promise<RuleState[]> {
    const data = await this.api<{ groups: { rules: RuleState[] }[] }>('rules');
    return data.groups.flatMap((g) => g.rules);
  }

  /** Waits until every target has been scraped successfully after `since`. */
  async scrapedSince(since: Date, timeoutMs = 15_000): Promise<void> {
    await waitFor(
      async () => {
        const { activeTargets } = await this.api<{ activeTargets: { scrapeUrl: string; health: string; lastScrape: string }[] }>('targets');
        const behind = activeTargets.filter((t) => t.health !== 'up' || Date.parse(t.lastScrape) <= since.getTime());
        if (behind.length > 0) throw new Error(`not yet scraped: ${behind.map((t) => `${t.scrapeUrl} (${t.health})`).join(', ')}`);
        return activeTargets.length > 0 ? true : undefined;
      },
      { timeoutMs, intervalMs: 200, what: 'every target to be scraped' },
    );
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = once(this.child, 'exit');
      this.child.kill('SIGTERM');
      await exited;
    }
    await rm(this.dir, { recursive: true, force: true });
  }

  private async api<T>(path: string, params: Record<string, string> = {}): Promise<T> {
    const res = await fetch(`${this.url}/api/v1/${path}?${new URLSearchParams(params)}`);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`${path} ${JSON.stringify(params)}: ${body.error ?? res.status}`);
    return body.data;
  }
}

/** The metric names a PromQL expression selects: the name of each vector selector in its syntax tree. */
export function metricNamesIn(expr: string): string[] {
  const names = new Set<string>();
  parser.parse(expr).iterate({
    enter(node) {
      // An Identifier elsewhere is a Grafana variable the parser could not place ($__rate_interval).
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') names.add(expr.slice(node.from, node.to));
    },
  });
  return [...names];
}
