import { createTestEnv, type TestEnv, waitFor } from '@orderly/platform/testing';
import { freePort } from '@orderly/testkit';
import test from 'ava';
import { type RestartEvent, startLocalStack } from '../local-stack.ts';
import { services } from '../services.ts';

/**
 * The local stack in its one-process mode, as npm start runs it (supervisor, readiness, restarts),
 * on a vhost and database of the test's own: one process behind every service's port, logs told
 * apart by service, and a crash taking all seven down and bringing all seven back.
 */
let env: TestEnv;
test.before(async () => {
  env = await createTestEnv('one_process_stack');
});
test.after.always(() => env?.cleanup());

test('when the stack runs in one process and that process dies, then all seven services come back, and none can be scaled', async (t) => {
  t.timeout(150_000);
  const ports: Record<string, number> = {};
  for (const s of services) ports[s.name] = await freePort();
  const logged = new Set<string>();
  const restarts: RestartEvent[] = [];
  const stack = await startLocalStack({
    processes: 'one',
    credentials: false,
    env: { ...env.env, BROKER_CONNECT_ATTEMPTS: '5' },
    serviceEnv: (name) => ({ ...env.envFor(name), LOG_LEVEL: 'info' }),
    ports,
    onLine: (name) => logged.add(name),
    onRestart: (e) => restarts.push(e),
    restart: { initialMs: 200, maxMs: 1000, resetAfterMs: 60_000 },
  });
  t.teardown(() => stack.kill());

  t.is(stack.processes, 'one');
  const pids = new Set(Object.values(stack.pids()));
  t.is(pids.size, 1, 'every service is the same process');
  for (const s of services) t.true(logged.has(s.name), `${s.name}'s lines are shown under its name: ${[...logged].join(', ')}`);
  await t.throwsAsync(stack.scale('inventory', 2), { message: /ORDERLY_PROCESSES=per-service/ });

  t.true(stack.signal('payment', 'SIGKILL'));
  await waitFor(async () => restarts.find((e) => e.phase === 'ready'), {
    timeoutMs: 90_000,
    what: 'the one process to be restarted and ready',
  });
  t.like(restarts[0], { phase: 'exited', service: 'services', signal: 'SIGKILL' });
  const after = new Set(Object.values(stack.pids()));
  t.is(after.size, 1);
  t.false(after.has([...pids][0]!), 'a new process');
  for (const s of services) t.true((await fetch(`${stack.url(s.name)}/readyz`)).ok, `${s.name} is back`);

  await stack.stop();
  for (const s of services) await t.throwsAsync(fetch(`${stack.url(s.name)}/healthz`), undefined, `${s.name} stopped`);
});
