import { userInfo } from 'node:os';
import test from 'ava';
import { runAs, systemUser } from '../servers/run-as.ts';

/**
 * The short chaos run in CI once died of an uncaught `write EPIPE`: a tool run through runAs exited
 * before reading what was written to its standard input.
 */
test('when a command exits without reading its input, then runAs reports the command and the process lives on', async (t) => {
  const me = systemUser(userInfo().username);
  // Far more than a pipe holds, so the write is still going when `true` has exited.
  const input = 'x'.repeat(4 * 1024 * 1024);
  for (let i = 0; i < 5; i++) t.is(await runAs(me, 'true', [], {}, 10_000, input), '');
});
