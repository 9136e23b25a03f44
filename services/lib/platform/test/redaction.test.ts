import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import test from 'ava';

/**
 * Personal data stays out of the logs whatever shape it arrives in — nested
 * fields at any depth, arrays, errors (message, stack, cause, extra properties such as nodemailer's
 * `rejected`) and the message string. The platform logger in a process of its own, its stdout read.
 */
test('when personal data is logged nested, in arrays, inside errors or in the message, then no address reaches the output', async (t) => {
  const fixture = new URL('./fixture/log-personal-data.ts', import.meta.url).pathname;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--conditions=source', fixture]);
  const lines = stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  t.is(lines.length, 2);
  t.false(/@example\.com/.test(stdout), `no address in:\n${stdout}`);
  t.false(stdout.includes('+49 30 1234567'), 'no phone number');
  t.false(stdout.includes('Recipient Person'), 'no recipient, whatever it looks like');
  // What is not personal stays useful.
  type Line = {
    msg: string;
    err: { message: string; code: string; stack: string };
    error: { message: string };
    order: { customer: { contact: { email: string } } };
  };
  const [first, second] = lines as unknown as [Line, Line];
  t.is(first.msg, 'mail to [redacted] failed');
  t.regex(first.err.message, /Recipient address rejected/);
  t.regex(first.err.message, /refused/, 'the cause is kept, scrubbed');
  t.is(first.err.code, 'EENVELOPE');
  t.regex(first.err.stack, /Error: 550/);
  t.is(first.order.customer.contact.email, '[redacted]');
  t.regex(second.error.message, /^bad value for /);
});
