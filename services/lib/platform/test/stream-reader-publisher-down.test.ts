import { exchanges, topology } from '@orderly/events';
import test from 'ava';
import pg from 'pg';
import { Broker } from '../src/bus/broker.js';
import { Publisher } from '../src/outbound/publisher.js';
import { startService } from '../src/service.js';
import { StreamReader } from '../src/stream/reader.js';
import { ConnectionDropper, createTestEnv, publishEnvelope, publishRaw, takeMessages, waitFor } from '../src/testing/index.js';
import { Database } from '../src/transaction/transaction.js';
import { auditConnections } from './fixture/audit-connections.js';
import { auditReaderOptions } from './fixture/reader-options.js';
import { confirmedEvent, consumerService, recorder } from './fixture/service.js';

/**
 * A stream reader parks a poison message by publishing a copy, on the service's publishing
 * connection, which is not the reading one. When that copy could not be sent, the reader dropped
 * the batch in hand but its reading channel went on delivering what followed, and the next commit
 * stored an offset past the dropped messages: they were never recorded. Now the copy waits for the
 * publisher a few seconds, and a batch that still cannot finish makes the reader read again from
 * its stored offset.
 */
test('when the publishing connection is down as a poison message comes by, then every event after it is still recorded once', async (t) => {
  t.timeout(90_000);
  const e = await createTestEnv('stream-publisher-down');
  t.teardown(() => e.cleanup());
  const owner = await startService(consumerService(), e.envFor('order'));
  t.teardown(() => owner.stop());
  const { logger, metrics, url, broker, pool } = await auditConnections(e, 'audit-read');
  t.teardown(async () => {
    await broker.close().catch(() => {});
    await pool.end().catch(() => {});
  });
  // The publisher on a connection of its own, through a proxy that drops it at once when armed.
  const dropper = await ConnectionDropper.start(e.amqpUrl, ['audit-publish'], 0);
  t.teardown(() => dropper.close());
  const publishing = await Broker.connect({
    url: dropper.urlFor(url),
    topology: topology({ mode: 'choreography', deliveryLimit: 20 }),
    logger,
    metrics,
    name: 'audit-publish',
    role: 'publish',
    declare: false,
  });
  t.teardown(() => publishing.close().catch(() => {}));
  const publisher = new Publisher(metrics, logger, decodeURIComponent(new URL(url).username));
  await publisher.attach(publishing);
  const r = new StreamReader(auditReaderOptions(url, recorder().handler), new Database(pool, 'audit'), publisher, metrics, logger);
  await r.attach(broker);
  t.teardown(() => r.stop());

  dropper.arm();
  await waitFor(async () => (dropper.dropped >= 1 ? true : undefined), { what: 'the publishing connection dropped' });
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) ids.push((await publishEnvelope(e, confirmedEvent())).id);
  await publishRaw(e, exchanges.events, 'order.confirmed', 'this is not json', { type: 'order.confirmed', as: 'order' });
  for (let i = 0; i < 3; i++) ids.push((await publishEnvelope(e, confirmedEvent())).id);
  // Down for longer than the copy waits for it.
  await new Promise((res) => setTimeout(res, 7_000));
  dropper.disarm();

  const c = new pg.Client({ connectionString: e.databaseUrl });
  await c.connect();
  t.teardown(() => c.end());
  const recorded = () =>
    c
      .query<{ event_id: string; n: string }>('SELECT event_id, count(*) AS n FROM "order".effects GROUP BY event_id')
      .then(({ rows }) => rows);
  await waitFor(async () => ((await recorded()).length >= ids.length ? true : undefined), {
    what: `${ids.length} events recorded`,
    timeoutMs: 30_000,
  });
  const got = new Map((await recorded()).map((row) => [row.event_id, Number(row.n)]));
  t.deepEqual(
    ids.map((id) => got.get(id)),
    ids.map(() => 1),
    'each recorded once',
  );
  const parked = await takeMessages(e, 'audit.dlq', 1, { what: 'the poison message in audit.dlq', timeoutMs: 20_000 });
  t.regex(String(parked[0]!.headers['x-orderly-error']), /SyntaxError/);
});
