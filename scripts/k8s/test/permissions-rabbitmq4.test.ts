import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import test from 'ava';
import { serverEnv } from './brokers.js';

/**
 * The permission contract (permissions.test.ts: all seven services as their own broker users with
 * exactly the chart's Permissions, an order delivered, failures parked) run again, unchanged,
 * against the RabbitMQ 4.x the chart pins (the chroot broker of scripts/k8s/servers/up.sh). The
 * file itself runs against the system broker in the same suite.
 */
test('the permission contract passes on the chroot RabbitMQ 4.x too', async (t) => {
  t.timeout(300_000);
  const env = { ...process.env, ...serverEnv('rabbitmq4') };
  try {
    const { stdout } = await promisify(execFile)('node_modules/.bin/ava', ['--verbose', 'scripts/k8s/test/permissions.test.ts'], {
      env,
      maxBuffer: 16 * 1024 * 1024,
    });
    t.log(stdout.trim());
    t.regex(stdout, /2 tests passed/);
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    t.fail(`permissions.test.ts against RabbitMQ 4.x failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
});
