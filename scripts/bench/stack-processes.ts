/**
 * The local stack for a benchmark run: the same launcher as `npm start` (scripts/local/local-stack.ts:
 * built output, telemetry register hook, local defaults), with the services' logs in a file.
 */
import { createWriteStream } from 'node:fs';
import { type LocalStack, startLocalStack } from '../local/local-stack.ts';

export interface RunningStack {
  pids: Record<string, number>;
  stop(): Promise<void>;
  kill(): void;
}

export async function startStack(options: { logFile: string; env?: Record<string, string> }): Promise<RunningStack> {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      env: options.env ?? {},
      onLine: (name, _i, line) => log.write(`${name} │ ${line}\n`),
      onExit: (name, code, signal) => log.write(`${name} │ exited (${signal ?? code})\n`),
    });
  } catch (err) {
    log.end();
    throw new Error(`${(err as Error).message}; see ${options.logFile}`, { cause: err });
  }
  return {
    pids: stack.pids(),
    kill: stack.kill,
    stop: async () => {
      await stack.stop();
      await new Promise<void>((resolve) => log.end(resolve));
    },
  };
}
