/**
 * Entry point of the one-process mode: `node --import <telemetry register> one-process-main.js`, the
 * services to host as JSON on standard input (one-process.ts). Stops them all on SIGTERM/SIGINT.
 */
import { text } from 'node:stream/consumers';
import { hostedSpec, startHosted } from './one-process.js';
import { flushTelemetry } from './telemetry/flush.js';

let hosted: Awaited<ReturnType<typeof startHosted>>;
try {
  hosted = await startHosted(hostedSpec.parse(JSON.parse(await text(process.stdin))));
} catch (err) {
  console.error(`one process: ${(err as Error).message}`);
  process.exit(1);
}
const running = hosted;
const onSignal = () => {
  const timer = setTimeout(() => {
    console.error('one process: shutdown timed out; exiting');
    process.exit(1);
  }, running.shutdownTimeoutMs);
  timer.unref();
  running.stop().then(
    () => flushTelemetry().then(() => process.exit(0)),
    (err) => {
      console.error(`one process: shutdown failed: ${(err as Error).message}`);
      process.exit(1);
    },
  );
};
process.once('SIGTERM', onSignal);
process.once('SIGINT', onSignal);
