import { vhostOf } from '@orderly/platform';
import { createScratchVhost, deleteScratchVhost, managementClient } from '@orderly/platform/testing';
import test from 'ava';
import { benchServers, otherVhostQueues } from '../rabbit-api.ts';

// Forty-five vhosts that killed test runs had left behind (a thousand queues) were counted in the
// idle stack's RabbitMQ figure: the bench now says what else the broker holds.
test('when another vhost holds queues, then the idle report counts them as held elsewhere, and not those of the measured vhost', async (t) => {
  const servers = benchServers();
  const { managementUrl } = servers;
  const vhost = vhostOf(await createScratchVhost(servers, `bench_elsewhere_${process.pid}`));
  t.teardown(() => deleteScratchVhost(managementUrl, vhost));
  const api = managementClient(managementUrl);
  for (const q of ['a', 'b', 'c']) await api.json('PUT', `api/queues/${encodeURIComponent(vhost)}/${q}`, { durable: false });
  const seenFromElsewhere = await otherVhostQueues('no-such-vhost');
  const seenFromIt = await otherVhostQueues(vhost);
  t.true(seenFromElsewhere.queues >= 3);
  t.is(seenFromElsewhere.queues - seenFromIt.queues, 3, 'its own three queues are not counted as elsewhere');
  t.is(seenFromElsewhere.vhosts - seenFromIt.vhosts, 1);
});
