/**
 * PostgreSQL's own limit on this machine: small write transactions/s, each the size of a
 * handler's (inbox INSERT + state UPDATE + outbox INSERT, in one transaction), from many clients,
 * in a scratch database on the same server (created and dropped here). pgbench with a custom
 * script when it is installed, otherwise a node-postgres pool doing the same.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScratchDatabase, dropScratchDatabase } from '@orderly/platform/testing';
import pg from 'pg';
import { onCleanup } from './cleanup.ts';
import { databaseUrl } from './pg-stats.ts';

export interface PgLimit {
  txPerSec: number;
  clients: number;
  durationSec: number;
  tool: 'pgbench' | 'node-postgres';
  transaction: string;
}

const rows = 10_000;
const setup = `
  CREATE TABLE inbox (consumer text NOT NULL, event_id uuid NOT NULL, handled_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (consumer, event_id));
  CREATE TABLE state (id int PRIMARY KEY, status text NOT NULL, version int NOT NULL DEFAULT 0, updated_at timestamptz NOT NULL DEFAULT now());
  CREATE TABLE outbox (id bigserial PRIMARY KEY, type text NOT NULL, payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), published_at timestamptz);
  INSERT INTO state (id, status) SELECT g, 'PENDING' FROM generate_series(1, ${rows}) g;`;
const txSql = [
  `INSERT INTO inbox (consumer, event_id) VALUES ('bench', gen_random_uuid()) ON CONFLICT DO NOTHING;`,
  `UPDATE state SET status = 'RESERVED', version = version + 1, updated_at = now() WHERE id = :id;`,
  `INSERT INTO outbox (type, payload) VALUES ('inventory.reserved', '{"orderId":"00000000-0000-0000-0000-000000000000","items":[{"sku":"TSHIRT-BLK-M","qty":1,"unitPriceCents":1999}],"totalCents":1999}');`,
];
const script = `\\set id random(1, ${rows})\nBEGIN;\n${txSql.join('\n')}\nCOMMIT;\n`;

function pgbenchPath(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(base, v, 'bin/pgbench')).find((p) => existsSync(p));
}

async function withPool(clients: number, durationMs: number, url: string): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: clients });
  let done = 0;
  const end = performance.now() + durationMs;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      const c = await pool.connect();
      try {
        while (performance.now() < end) {
          const id = 1 + Math.floor(Math.random() * rows);
          await c.query('BEGIN');
          for (const sql of txSql) await c.query(sql.replace(':id', String(id)));
          await c.query('COMMIT');
          done += 1;
        }
      } finally {
        c.release();
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  await pool.end();
  return done / elapsed;
}

function runPgbench(bin: string, url: URL, clients: number, durationSec: number): Promise<number> {
  const file = join(tmpdir(), `orderly-bench-${process.pid}.sql`);
  writeFileSync(file, script);
  const args = ['-n', '-f', file, '-c', String(clients), '-j', '2', '-T', String(durationSec), '-M', 'prepared'];
  args.push(
    '-h',
    decodeURIComponent(url.hostname),
    '-p',
    url.port || '5432',
    '-U',
    decodeURIComponent(url.username),
    url.pathname.slice(1),
  );
  return new Promise((resolve, reject) => {
    execFile(bin, args, { env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) } }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`pgbench failed: ${stderr || err.message}`));
      const m = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout) ?? /tps = ([\d.]+)/.exec(stdout);
      if (!m) return reject(new Error(`pgbench printed no tps: ${stdout}`));
      resolve(Number(m[1]));
    });
  });
}

export async function measurePgLimit(options: { clients: number; durationSec: number }): Promise<PgLimit> {
  const admin = databaseUrl();
  const scratch = `orderly_bench_${process.pid}`;
  const drop = () => dropScratchDatabase(admin, scratch).catch(() => undefined);
  const unregister = onCleanup('scratch database', drop);
  try {
    const url = new URL(await createScratchDatabase(admin, scratch));
    const c = new pg.Client({ connectionString: url.toString() });
    await c.connect();
    await c.query(setup);
    await c.query('VACUUM ANALYZE');
    await c.end();
    const bin = pgbenchPath();
    const txPerSec = bin
      ? await runPgbench(bin, url, options.clients, options.durationSec)
      : await withPool(options.clients, options.durationSec * 1000, url.toString());
    return {
      txPerSec,
      clients: options.clients,
      durationSec: options.durationSec,
      tool: bin ? 'pgbench' : 'node-postgres',
      transaction: 'BEGIN; INSERT inbox; UPDATE 1 of 10k rows; INSERT outbox (jsonb); COMMIT',
    };
  } finally {
    unregister();
    await drop();
  }
}
