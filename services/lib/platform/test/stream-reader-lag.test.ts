import test from 'ava';
import { startService } from '../src/service.js';
import { StreamReader } from '../src/stream/reader.js';
import { createTestEnv, publishEnvelope, waitFor } from '../src/testing/index.js';
import { Database } from '../src/transaction/transaction.js';
import { auditConnections } from './fixture/audit-connections.js';
import { auditReaderOptions } from './fixture/reader-options.js';
import { confirmedEvent, consumerService } from './fixture/service.js';

/**
 * orderly_stream_reader_lag_seconds is the age of the oldest message delivered and not committed:
 * a reader stuck on its batch (a database outage, a handler that hangs) shows a growing lag, and
 * the alert fires. A reader parses its messages only when it takes the batch, so the lag is read
 * from the batch in hand, not only from what waits for the next one.
 */
const cleanups: (() => Promise<unknown>)[] = [];
test.after.always(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

test('a reader stuck on its batch reports the age of the batch’s oldest event as its lag', async (t) => {
  const e = await createTestEnv('stream-lag');
  cleanups.push(() => e.cleanup());
  const owner = await startService(consumerService(), e.envFor('order'));
  cleanups.push(() => owner.stop());

  let release: (() => void) | undefined;
  const { metrics, url, broker, publisher, pool, logger } = await auditConnections(e, 'reader-lag');
  const options = auditReaderOptions(url, async () => {
    await new Promise<void>((r) => (release = r));
  });
  const reader = new StreamReader(options, new Database(pool, 'audit'), publisher, metrics, logger);
  cleanups.push(async () => {
    release?.();
    await reader.stop();
    await broker.close().catch(() => {});
    await pool.end().catch(() => {});
  });
  await reader.attach(broker);

  // An event created ten minutes ago (its producer's outbox held it that long).
  const old = confirmedEvent();
  await publishEnvelope(e, { ...old, time: new Date(Date.now() - 600_000).toISOString() } as typeof old);
  await waitFor(async () => release, { what: 'the reader stuck on its batch' });
  const lag = async () => {
    const { values } = await metrics.registry.getSingleMetric('orderly_stream_reader_lag_seconds')!.get();
    return values.find((v) => v.labels.reader === 'audit')?.value ?? -1;
  };
  const first = await lag();
  t.true(first >= 600, `lag ${first} s while the ten-minute-old event is in hand`);
  await new Promise((r) => setTimeout(r, 1_100));
  t.true((await lag()) >= first + 1, 'the lag grows while the reader is stuck');
  release!();
});
