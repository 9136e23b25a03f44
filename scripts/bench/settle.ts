/** Waiting for the stack to go quiet between the phases of a run. */
import { localDefaults } from '../local/services.ts';
import type { CompletionWatcher } from './completions.ts';
import { progress, progressDone } from './progress.ts';
import { queuedMessages } from './rabbit-api.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Shipping's timers (dispatch + delivery) run after an order is confirmed: wait them out. */
const shippingTailMs = () =>
  Number(process.env.SHIPPING_DISPATCH_DELAY_MS ?? localDefaults.SHIPPING_DISPATCH_DELAY_MS) +
  Number(process.env.SHIPPING_DELIVERY_DELAY_MS ?? localDefaults.SHIPPING_DELIVERY_DELAY_MS);

/** Lets the stack go quiet: every order decided, shipping's timers fired, the orderly vhost empty,
 * and the management API's counters refreshed (it samples every 5 s). */
export async function settle(watcher: CompletionWatcher, what: string, maxExtraMs = 30_000): Promise<void> {
  const start = Date.now();
  const minMs = Math.max(shippingTailMs() + 1000, 5500);
  for (;;) {
    const elapsed = Date.now() - start;
    const messages = await queuedMessages().catch(() => 0);
    progress(`${what}: settling ${(elapsed / 1000).toFixed(0)} s (waiting for ${watcher.pending} decisions, ${messages} messages queued)`);
    if ((elapsed >= minMs && watcher.pending === 0 && messages === 0) || elapsed > minMs + maxExtraMs) {
      if (messages > 0) progressDone(`▸ warning: ${what}: still ${messages} messages queued; measuring anyway`);
      break;
    }
    await sleep(500);
  }
  await sleep(5500); // one more management sampling interval, so its counters include everything
  progressDone();
}
