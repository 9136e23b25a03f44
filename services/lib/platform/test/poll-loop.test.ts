import test from 'ava';
import { createLogger } from '../src/logger.js';
import { PollLoop, type TickResult } from '../src/poll-loop.js';

const logger = createLogger('poll-loop-test', 'silent');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A loop whose ticks are counted and answer from the given list, then 'idle'. */
function counting(answers: (TickResult | Error)[], everyMs = 10_000) {
  let ticks = 0;
  const loop = new PollLoop(
    async () => {
      const answer = answers[ticks++] ?? 'idle';
      if (answer instanceof Error) throw answer;
      return answer;
    },
    { name: 'test loop', everyMs, logger },
  );
  return { loop, ticks: () => ticks };
}

test('when a tick finds more work, then the next tick follows at once; when it finds none, the loop waits', async (t) => {
  const { loop, ticks } = counting(['more', 'more', 'idle']);
  await loop.start();
  await sleep(50);
  await loop.stop();
  t.is(ticks(), 3);
});

test('when the loop is woken while it waits, then it ticks at once', async (t) => {
  const { loop, ticks } = counting([]);
  await loop.start();
  await sleep(20);
  loop.wake();
  await sleep(20);
  await loop.stop();
  t.is(ticks(), 2);
});

test('when the loop is woken during a tick, then the next tick follows it at once', async (t) => {
  let ticks = 0;
  const loop: PollLoop = new PollLoop(
    async () => {
      ticks += 1;
      if (ticks === 1) loop.wake();
      return 'idle';
    },
    { name: 'test loop', everyMs: 10_000, logger },
  );
  await loop.start();
  await sleep(30);
  await loop.stop();
  t.is(ticks, 2);
});

test('when a tick fails, then the loop waits before the next one instead of spinning', async (t) => {
  const { loop, ticks } = counting([new Error('down'), new Error('down')], 30);
  await loop.start();
  await sleep(20);
  t.is(ticks(), 1, 'the failed tick is not repeated at once');
  await sleep(250);
  await loop.stop();
  t.true(ticks() >= 3, 'it keeps trying after back-off');
});

test('when the loop is stopped during a tick, then stop waits for the tick, whose signal says to take no new work', async (t) => {
  let release!: () => void;
  let sawAbort = false;
  const loop = new PollLoop(
    async (signal) => {
      await new Promise<void>((r) => {
        release = r;
      });
      sawAbort = signal.aborted;
      return 'more';
    },
    { name: 'test loop', everyMs: 10, logger },
  );
  await loop.start();
  let stopped = false;
  const stopping = loop.stop().then(() => {
    stopped = true;
  });
  await sleep(20);
  t.false(stopped);
  release();
  await stopping;
  t.true(sawAbort);
});
