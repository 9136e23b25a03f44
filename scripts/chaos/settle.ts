/**
 * After the faults stop: wait until the system is quiet — every order decided, every parcel
 * delivered, every outbox drained, every queue (but the dead-letter ones) empty, no saga running —
 * and stays so. How long that takes is itself a result.
 */
import { consumerQueues, retryQueue } from '@orderly/events';
import { toolConnection } from '@orderly/platform/testing';
import type { ChaosStack } from './chaos-stack.ts';
import { schemas } from './facts.ts';
import { sleep } from './load.ts';

export interface Quiet {
  undecided: number;
  timers: number;
  unpublished: number;
  queued: number;
  sagasRunning: number;
}

async function measure(chaos: ChaosStack): Promise<Quiet> {
  const { db } = chaos;
  const one = async (sql: string) => (await db.query(sql)).rows[0].n as number;
  const undecided = await one(`SELECT count(*)::int AS n FROM "order".orders WHERE status NOT IN ('DELIVERED', 'REJECTED', 'CANCELLED')`);
  const timers = await one('SELECT count(*)::int AS n FROM shipping.timers');
  let unpublished = 0;
  for (const s of schemas) unpublished += await one(`SELECT count(*)::int AS n FROM "${s}".outbox WHERE published_at IS NULL`);
  // Orchestrated sagas, whatever the mode now: a mode switch may have left some to finish.
  const sagasRunning = await one(`SELECT count(*)::int AS n FROM "order".sagas WHERE state = 'running'`);
  let queued = 0;
  const conn = await toolConnection(chaos.rabbit.amqpUrl);
  try {
    const ch = await conn.createChannel();
    for (const { queue } of consumerQueues(chaos.mode)) {
      for (const q of [queue, retryQueue(queue)]) queued += (await ch.checkQueue(q)).messageCount;
    }
  } finally {
    await conn.close().catch(() => undefined);
  }
  return { undecided, timers, unpublished, queued, sagasRunning };
}

const isQuiet = (q: Quiet) => Object.values(q).every((n) => n === 0);

/** Resolves with the time it took to get quiet (stable for three checks), or the last measurement on timeout. */
export async function settle(
  chaos: ChaosStack,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<{ quiet: boolean; ms: number; last: Quiet | undefined }> {
  const t0 = Date.now();
  let stable = 0;
  let last: Quiet | undefined;
  let lastLog = 0;
  while (Date.now() - t0 < timeoutMs) {
    try {
      last = await measure(chaos);
      stable = isQuiet(last) ? stable + 1 : 0;
      if (stable >= 3) return { quiet: true, ms: Date.now() - t0, last };
      if (Date.now() - lastLog > 10_000) {
        lastLog = Date.now();
        log(`settling: ${JSON.stringify(last)}`);
      }
    } catch (err) {
      stable = 0;
      log(`settling: ${(err as Error).message}`);
    }
    await sleep(1000);
  }
  return { quiet: false, ms: Date.now() - t0, last };
}
