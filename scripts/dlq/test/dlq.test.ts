import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { definition as consoleService } from '@orderly/console';
import { deadLetterExchange, newEnvelope, topology } from '@orderly/events';
import { assertTopology, startService } from '@orderly/platform';
import { cleanupList, createTestEnv, publishRaw, waitFor } from '@orderly/platform/testing';
import amqp from 'amqplib';
import test from 'ava';

/**
 * `npm run dlq` against a real console: tables for people, JSON for scripts, and an exit status a
 * runbook can trust (1 when the console refused, 2 for a usage error).
 */
const cleanups = cleanupList();
const env = await createTestEnv('dlq_cli');
cleanups.add(() => env.cleanup());
test.after.always(() => cleanups.run());
const orderId = crypto.randomUUID();
let url: string;

test.before(async () => {
  const model = await amqp.connect(env.amqpUrl);
  await assertTopology(model, topology({ mode: 'choreography', deliveryLimit: 20 }));
  await model.close();
  const running = await startService(consoleService, {
    ...env.envFor('console'),
    CONSOLE_PUBLIC_URL: 'http://127.0.0.1:8087',
    CONSOLE_SESSION_SECRET: randomBytes(32).toString('base64url'),
  });
  cleanups.add(() => running.stop());
  url = `http://127.0.0.1:${running.port}`;
  for (const queue of ['shipping', 'customer']) {
    const data = { orderId, customerId: 'C1', email: 'c1@example.com', totalCents: 1, currency: 'EUR' };
    const event = newEnvelope('order', 'order.confirmed', orderId, data);
    await publishRaw(env, deadLetterExchange(queue), queue, JSON.stringify(event), {
      as: queue,
      type: event.type,
      messageId: event.id,
      headers: { 'x-orderly-error': `Error: ${queue} broke`, 'x-orderly-attempts': 5, 'x-orderly-failed-at': new Date().toISOString() },
    });
  }
});

const dlq = async (args: string[], token?: string) => {
  const run = promisify(execFile)(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', 'scripts/dlq/main.ts', ...args, ...(args.includes('--url') ? [] : ['--url', url])],
    {
      env: { ...process.env, ORDERLY_TOKEN: token ?? (await env.issuer.operator('ops')) },
    },
  );
  return run.then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );
};

test.serial('when an operator lists, shows and discards, then tables and counts are printed and the exit status is 0', async (t) => {
  const listed = await waitFor(async () => {
    const out = await dlq(['list', '--order', orderId, '--json']);
    return JSON.parse(out.stdout).items.length === 2 ? out : undefined;
  });
  t.is(listed.code, 0);
  const table = await dlq(['list', '--queue', 'shipping']);
  t.is(table.code, 0, table.stderr);
  t.regex(table.stdout, /shipping\s.*order\.confirmed.*Error: shipping broke/);
  const id = JSON.parse((await dlq(['list', '--queue', 'customer', '--json'])).stdout).items[0].id as string;
  const shown = await dlq(['show', id]);
  t.regex(shown.stdout, /x-orderly-error/);
  t.regex(shown.stdout, new RegExp(`"orderId":"${orderId}"`));
  const discarded = await dlq(['discard', id, '--reason', 'a test']);
  t.deepEqual([discarded.code, discarded.stdout.trim()], [0, '1 discarded']);
});

test.serial('when the input is wrong or the caller is no operator, then it says why and exits non-zero', async (t) => {
  const bad = await dlq(['list', '--queue', 'nope']);
  t.is(bad.code, 1);
  t.regex(bad.stderr, /HTTP 400.*\n\s+queue: must be one of/);
  const noReason = await dlq(['discard', '--all']);
  t.is(noReason.code, 2);
  t.regex(noReason.stderr, /discard needs --reason/);
  const nothingNamed = await dlq(['redrive']);
  t.is(nothingNamed.code, 2);
  t.is((await dlq(['frobnicate'])).code, 2);
  const customer = await dlq(['list'], await env.issuer.customer('C100'));
  t.is(customer.code, 1);
  t.regex(customer.stderr, /HTTP 403/);
  const unreachable = await dlq(['list', '--url', 'http://127.0.0.1:1']);
  t.is(unreachable.code, 1);
  t.regex(unreachable.stderr, /cannot be reached/);
});

test.serial('when an operator redrives by a filter, then the count is printed', async (t) => {
  const redriven = await dlq(['redrive', '--queue', 'shipping', '--reason', 'fixed']);
  t.deepEqual([redriven.code, redriven.stdout.trim()], [0, '1 redriven'], redriven.stderr);
  const after = JSON.parse((await dlq(['list', '--queue', 'shipping', '--json'])).stdout).items;
  t.like(after[0], { status: 'redriven', reason: 'fixed' });
});
